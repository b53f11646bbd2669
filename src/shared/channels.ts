/**
 * Names that cross the Electron IPC boundary, kept free of zod so the sandboxed preload stays tiny.
 * tests/unit/shared/channels.test.ts checks API_METHOD_NAMES against the contract.
 */
import type { ApiMethod } from './api';

export const API_METHOD_NAMES = [
  'session.get',
  'training.setRole',
  'queue.list',
  'queue.counts',
  'item.get',
  'backends.list',
  'sync.now',
  'action.submit',
  'outbox.list',
  'outbox.retry',
  'outbox.discard',
  'outbox.resolveConflict',
  'audit.list',
  'audit.verify',
  'audit.export',
  'links.add',
  'links.remove',
  'mail.body',
  'mail.remoteImages',
  'mail.stageAttachment',
  'mail.compose',
  // Issue #6 declare once
  'dossier.register',
  'procedures.list',
  'mail.saveAttachment',
  // Issue #7 shell
  'diagnostics.bundle',
  // Issue #6 citizens
  'citizen.find',
  'citizen.view',
  'search.query',
  // Issue #5 IT-staff settings
  'config.get',
  'config.validate',
  'config.save',
  'connection.test',
  'calendar.get',
  'calendar.set',
  'calendar.export',
  'calendar.import',
  'profile.export',
  'profile.import',
  'health.get',
  'logs.tail',
  // Issue #5 supervisor
  'dashboard.get',
  'dashboard.export',
  'dashboard.reassign',
  'authority.get',
  'authority.set',
  // Issue #7 notifications
  'notify.list',
  'notify.markRead',
] as const satisfies readonly ApiMethod[];

/** Name of the object the Electron preload exposes on window. */
export const PRELOAD_GLOBAL = 'workstation';
/** The one request channel; main refuses every other. */
export const IPC_INVOKE_CHANNEL = 'cw:invoke';
/** The one event channel main → renderer. */
export const IPC_EVENT_CHANNEL = 'cw:event';

export function isKnownMethodName(name: unknown): name is (typeof API_METHOD_NAMES)[number] {
  return typeof name === 'string' && (API_METHOD_NAMES as readonly string[]).includes(name);
}
