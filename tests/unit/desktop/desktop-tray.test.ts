/**
 * The shell's tray and OS notifications (src/main/desktop-tray*.ts) under Node: the Electron binary
 * is absent here, so `electron` is mocked with recording fakes; the XDG autostart file is real.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CoreEvent } from '../../../src/shared/api';
import type { DesktopNotification } from '../../../src/shared/desktop';

const fake = vi.hoisted(() => {
  const state = {
    tooltips: [] as string[],
    menus: [] as Array<Array<{ label: string; enabled: boolean; click?: () => void }>>,
    notifications: [] as Array<{ options: { title: string; body: string }; handlers: Map<string, () => void>; shown: boolean }>,
    loginItems: [] as unknown[],
    quit: 0,
  };
  class Tray {
    setToolTip(t: string): void {
      state.tooltips.push(t);
    }
    setContextMenu(m: { items: Array<{ label: string; enabled: boolean; click?: () => void }> }): void {
      state.menus.push(m.items);
    }
    on(): void {}
    destroy(): void {}
  }
  class Notification {
    static isSupported(): boolean {
      return true;
    }
    private readonly entry: (typeof state.notifications)[number];
    constructor(options: { title: string; body: string }) {
      this.entry = { options, handlers: new Map(), shown: false };
      state.notifications.push(this.entry);
    }
    on(event: string, handler: () => void): void {
      this.entry.handlers.set(event, handler);
    }
    show(): void {
      this.entry.shown = true;
    }
    close(): void {}
  }
  return { state, Tray, Notification };
});

vi.mock('electron', () => ({
  app: {
    isPackaged: true,
    getAppPath: () => '/opt/cw',
    setLoginItemSettings: (s: unknown) => fake.state.loginItems.push(s),
    quit: () => {
      fake.state.quit += 1;
    },
  },
  Menu: { buildFromTemplate: (items: unknown[]) => ({ items }) },
  Notification: fake.Notification,
  Tray: fake.Tray,
  nativeImage: { createFromPath: () => ({ isEmpty: () => false }), createEmpty: () => ({}) },
}));

const { DesktopTray } = await import('../../../src/main/desktop-tray');
const { applyLinuxAutostart, autostartDir, autostartEntry, trayMenu, trayTooltip } = await import('../../../src/main/desktop-tray.logic');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function notification(o: Partial<DesktopNotification> = {}): DesktopNotification {
  return { id: 'n1', kind: 'urgent', at: 0, title: 'Văn bản khẩn mới', body: '7816/VPCP-TTĐT — V/v bão', itemIds: ['training-document:7816'], count: 1, quiet: false, read: false, ...o };
}

beforeEach(() => {
  fake.state.tooltips.length = 0;
  fake.state.menus.length = 0;
  fake.state.notifications.length = 0;
  fake.state.loginItems.length = 0;
});

describe('tray and OS notifications (Electron mocked)', () => {
  it('shows the counts in the tooltip and the menu; open and quit act', () => {
    let shown = 0;
    const tray = new DesktopTray({ window: () => null, showWindow: () => (shown += 1), toRenderer: () => undefined, iconPath: '/x.png' });
    tray.start();
    tray.onCoreEvent({ type: 'tray.counts', counts: { open: 42, dueToday: 5, overdue: 2, unread: 0 } });
    expect(fake.state.tooltips.at(-1)).toBe('Bàn làm việc một cửa: 42 việc đang mở, 5 hạn hôm nay, 2 quá hạn');
    const menu = fake.state.menus.at(-1) ?? [];
    expect(menu.map((i) => i.label)).toEqual(['Đang mở: 42', 'Hạn hôm nay: 5', 'Quá hạn: 2', 'Mở bàn làm việc', 'Thoát']);
    expect(menu.slice(0, 3).every((i) => !i.enabled)).toBe(true);
    menu.find((i) => i.label === 'Mở bàn làm việc')?.click?.();
    menu.find((i) => i.label === 'Thoát')?.click?.();
    expect(shown).toBe(1);
    expect(fake.state.quit).toBe(1);
  });

  it('pops up a notification (not a quiet one); a click shows the window and asks the renderer to open the item', () => {
    const sent: CoreEvent[] = [];
    let shown = 0;
    const tray = new DesktopTray({ window: () => null, showWindow: () => (shown += 1), toRenderer: (e) => sent.push(e), iconPath: '/x.png' });
    tray.start();
    tray.onCoreEvent({ type: 'notify.raised', notification: notification({ quiet: true, id: 'q' }) });
    expect(fake.state.notifications).toHaveLength(0);
    tray.onCoreEvent({ type: 'notify.raised', notification: notification() });
    expect(fake.state.notifications).toHaveLength(1);
    const popup = fake.state.notifications[0];
    expect(popup?.shown).toBe(true);
    expect(popup?.options).toMatchObject({ title: 'Văn bản khẩn mới', body: '7816/VPCP-TTĐT — V/v bão' });
    popup?.handlers.get('click')?.();
    expect(shown).toBe(1);
    expect(sent).toEqual([{ type: 'notify.open', itemId: 'training-document:7816', notificationId: 'n1' }]);
    // The unread count comes with the core's tray.counts.
    tray.onCoreEvent({ type: 'tray.counts', counts: { open: 3, dueToday: 0, overdue: 0, unread: 2 } });
    expect((fake.state.menus.at(-1) ?? []).map((i) => i.label)).toContain('Thông báo chưa đọc: 2');
  });

  it('start with the OS: the login item on Windows/macOS; the menu before the first counts', () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform');
    Object.defineProperty(process, 'platform', { value: 'win32' });
    try {
      const tray = new DesktopTray({ window: () => null, showWindow: () => undefined, toRenderer: () => undefined, iconPath: '/x.png' });
      tray.applyStartWithOs(true);
      tray.applyStartWithOs(false);
    } finally {
      if (platform) Object.defineProperty(process, 'platform', platform);
    }
    expect(fake.state.loginItems).toEqual([{ openAtLogin: true }, { openAtLogin: false }]);
    expect(trayMenu(null)[0]?.label).toBe('Đang tải số liệu…');
    expect(trayTooltip(null)).toBe('Bàn làm việc một cửa');
  });
});

describe('XDG autostart (Linux)', () => {
  it('writes the .desktop entry under $XDG_CONFIG_HOME/autostart and removes it', () => {
    const home = mkdtempSync(join(tmpdir(), 'cw-autostart-'));
    dirs.push(home);
    expect(autostartDir({}, home)).toBe(join(home, '.config', 'autostart'));
    expect(autostartDir({ XDG_CONFIG_HOME: join(home, 'cfg') }, home)).toBe(join(home, 'cfg', 'autostart'));
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative' }, home)).toBe(join(home, '.config', 'autostart'));
    const dir = autostartDir({}, home);
    const file = applyLinuxAutostart(true, dir, ['/opt/Commune Workstation/cw', '--hidden']);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('[Desktop Entry]\nType=Application\nName=Bàn làm việc một cửa\n');
    expect(text).toContain('Exec="/opt/Commune Workstation/cw" --hidden\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(autostartEntry(['/a"b$c'])).toContain('Exec="/a\\"b\\$c"');
    applyLinuxAutostart(false, dir, []);
    expect(existsSync(file)).toBe(false);
    applyLinuxAutostart(false, dir, []); // idempotent
  });
});
