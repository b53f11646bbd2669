/**
 * Issue #7 point 3, the shell's side of notifications and the tray — the parts that need no
 * Electron, tested under Node (tests/unit/desktop/desktop-tray.test.ts): tray text and menu, which
 * notifications pop up, the Linux XDG autostart file for "start with the OS".
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesktopNotification, TrayCounts } from '../shared/desktop';

export const APP_TITLE = 'Bàn làm việc một cửa';
export const AUTOSTART_FILE_NAME = 'commune-workstation.desktop';

export function trayTooltip(counts: TrayCounts | null): string {
  if (!counts) return APP_TITLE;
  return `${APP_TITLE}: ${counts.open} việc đang mở, ${counts.dueToday} hạn hôm nay, ${counts.overdue} quá hạn`;
}

export interface TrayMenuItem {
  label: string;
  enabled: boolean;
  action: 'open' | 'quit' | null;
}

/** The tray's context menu: the counts (not clickable), open the window, quit. */
export function trayMenu(counts: TrayCounts | null): TrayMenuItem[] {
  const info = (label: string): TrayMenuItem => ({ label, enabled: false, action: null });
  return [
    ...(counts
      ? [info(`Đang mở: ${counts.open}`), info(`Hạn hôm nay: ${counts.dueToday}`), info(`Quá hạn: ${counts.overdue}`)]
      : [info('Đang tải số liệu…')]),
    ...(counts && counts.unread > 0 ? [info(`Thông báo chưa đọc: ${counts.unread}`)] : []),
    { label: 'Mở bàn làm việc', enabled: true, action: 'open' },
    { label: 'Thoát', enabled: true, action: 'quit' },
  ];
}

/** Whether a notification from the core pops up in the OS (quiet ones are only listed in the app). */
export function shouldPopUp(n: DesktopNotification): boolean {
  return !n.quiet;
}

/** `$XDG_CONFIG_HOME/autostart` (default `~/.config/autostart`). */
export function autostartDir(env: NodeJS.ProcessEnv, home: string): string {
  const configHome = env['XDG_CONFIG_HOME'] && env['XDG_CONFIG_HOME'].startsWith('/') ? env['XDG_CONFIG_HOME'] : join(home, '.config');
  return join(configHome, 'autostart');
}

/** Quote one Exec argument as the Desktop Entry spec says. */
function quoteExecArg(arg: string): string {
  if (/^[A-Za-z0-9_./:=+-]+$/.test(arg)) return arg;
  return `"${arg.replace(/([\\"`$])/g, '\\$1')}"`;
}

export function autostartEntry(exec: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${APP_TITLE}`,
    'Comment=Hàng việc một cửa: hồ sơ, văn bản, thư công vụ',
    `Exec=${exec.map(quoteExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Linux: write (atomically) or remove the XDG autostart entry. Returns the file's path. */
export function applyLinuxAutostart(enabled: boolean, dir: string, exec: readonly string[]): string {
  const file = join(dir, AUTOSTART_FILE_NAME);
  if (!enabled) {
    rmSync(file, { force: true });
    return file;
  }
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, autostartEntry(exec), { mode: 0o644 });
  renameSync(tmp, file);
  return file;
}
