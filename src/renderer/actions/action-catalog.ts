/**
 * Which actions the detail pane offers for an item: the legal transitions of src/shared/actions.ts
 * for the item's (possibly optimistic) status, in the order an official works through a file.
 * Pure: no React, no DOM.
 */
import { isActionAllowed, type ItemActionKind } from '../../shared/actions';
import type { Source } from '../../shared/domain';
import type { WorkItem } from '../../shared/work-item';

/** Menu order per source: the usual next step first, refusals and stops last. */
export const ACTION_ORDER: Readonly<Record<Source, readonly ItemActionKind[]>> = {
  procedure: [
    'dossier.receive',
    'dossier.forward',
    'dossier.requestSupplement',
    'dossier.supplementReceived',
    'dossier.requestFees',
    'dossier.recordResult',
    'dossier.returnResult',
    'dossier.sendBack',
    'dossier.apology',
    'dossier.refuse',
    'dossier.stop',
  ],
  document: ['document.register', 'document.assign', 'document.inProgress', 'document.reply', 'document.done', 'document.refuse'],
  mail: [],
};

/** Actions that need an apology only make sense on a late dossier. */
export function isOverdue(item: Pick<WorkItem, 'sla' | 'remainingWorkingMinutes'>): boolean {
  return item.sla === 'overdue' || (item.remainingWorkingMinutes !== null && item.remainingWorkingMinutes < 0);
}

/** The actions to offer, in menu order. */
export function legalActions(item: Pick<WorkItem, 'source' | 'status' | 'sla' | 'remainingWorkingMinutes'>): ItemActionKind[] {
  return ACTION_ORDER[item.source].filter((kind) => {
    if (!isActionAllowed(kind, item.status)) return false;
    if (kind === 'dossier.apology' && !isOverdue(item)) return false;
    return true;
  });
}

/** Keyboard accelerator of the n-th menu entry: 1…9, then 0. */
export function acceleratorAt(index: number): string | null {
  if (index < 9) return String(index + 1);
  if (index === 9) return '0';
  return null;
}

/** The menu index an accelerator key stands for, or -1. */
export function indexOfAccelerator(key: string): number {
  if (key === '0') return 9;
  if (/^[1-9]$/.test(key)) return Number(key) - 1;
  return -1;
}

/** Refusals and stops close the file: the UI paints them red. */
export function isDestructive(kind: ItemActionKind): boolean {
  return kind === 'dossier.refuse' || kind === 'dossier.stop' || kind === 'document.refuse';
}

/** i18n key of an action's name ("Tiếp nhận", "Vào sổ"…). */
export function actionNameKey(kind: ItemActionKind): string {
  return `actions.${kind}`;
}

/**
 * What the official can do with a mail: reply, reply all, forward (the compose form), mark read or
 * unread, flag or unflag (`mail.markSeen` / `mail.flag` through the outbox). Menu order; the number
 * keys of the `a` menu follow it.
 */
export const MAIL_COMMANDS = ['mail.reply', 'mail.replyAll', 'mail.forward', 'mail.toggleSeen', 'mail.toggleFlag'] as const;
export type MailCommand = (typeof MAIL_COMMANDS)[number];

export function isMailCommand(value: string): value is MailCommand {
  return (MAIL_COMMANDS as readonly string[]).includes(value);
}

/** Single-key shortcuts of the mail commands (shown in the menu and on the buttons). */
export const MAIL_COMMAND_KEYS: Readonly<Record<MailCommand, string>> = {
  'mail.reply': 'r',
  'mail.replyAll': 'R',
  'mail.forward': 'f',
  'mail.toggleSeen': 'u',
  'mail.toggleFlag': 's',
};

/** Mail commands that make sense for a mail in this status (a deleted mail can only be read). */
export function mailCommandsFor(status: string): MailCommand[] {
  if (status === 'deleted') return [];
  if (status === 'outgoing') return [];
  return [...MAIL_COMMANDS];
}
