/**
 * Screens beside the queue (dashboard, settings, citizen view…). Each feature adds ONE entry to
 * SCREENS; the workstation shows a nav button for the screens the signed-in role may open and renders
 * the chosen one in place of the queue (the queue stays mounted, hidden: a mail being written and the
 * selection survive a visit). Global queue shortcuts (j/k, /, Enter…) are off while a screen is shown.
 */
import type { ComponentType } from 'react';
import type { Role, Session } from '../../shared/api';

export interface ScreenProps {
  session: Session;
  /** Server time minus local time (ms), as the queue uses it. */
  clockOffset: number;
  /** The short message at the bottom of the window. */
  onNotice: (text: string, tone: 'info' | 'error') => void;
  /** Go back to the queue with this item open in the detail pane. */
  openItem: (id: string) => void;
  /** Switch to another screen ('queue' or a registered id), optionally with a parameter (e.g. a CCCD). */
  navigate: (screen: string, param?: string) => void;
  /** The parameter given with `navigate`, if any. */
  param: string | null;
}

export interface ScreenDef {
  /** Stable id (also `data-testid="nav-<id>"` on its nav button). */
  id: string;
  /** i18n key of the nav label. */
  labelKey: string;
  /** Roles that see the nav button and may open the screen. */
  roles: readonly Role[];
  load: () => Promise<{ default: ComponentType<ScreenProps> }>;
}

export const SCREENS: readonly ScreenDef[] = [
  // Issue #5 supervisor: team dashboard, reassignment, authority matrix, exports.
  { id: 'dashboard', labelKey: 'dashboard.nav', roles: ['supervisor'], load: () => import('./dashboard.view') },
  // Issue #6: citizen view, unified search, counter mode (scans open it with `navigate('citizen', …)`).
  { id: 'citizen', labelKey: 'citizen.nav', roles: ['official', 'supervisor'], load: () => import('../citizen/citizen-screen.view') },
  // Issue #5 IT staff: connections + test connection, working calendar, configuration profiles, sync health and log.
  { id: 'settings', labelKey: 'settings.nav', roles: ['it'], load: () => import('../settings/settings-screen.view') },
  // Issue #7: notifications (new urgent items, about to go overdue, quiet hours) and the tray's counts.
  { id: 'notifications', labelKey: 'desktop.nav', roles: ['official', 'supervisor'], load: () => import('../desktop/notifications-screen.view') },
  // Issue #7 shell: the diagnostics bundle for IT staff (versions, states, counters, redacted log).
  { id: 'diagnostics', labelKey: 'shell.nav', roles: ['it'], load: () => import('../shell/diagnostics-screen.view') },
];

export function screensFor(role: Role): ScreenDef[] {
  return SCREENS.filter((s) => s.roles.includes(role));
}
