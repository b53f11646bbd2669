/**
 * Issue #7 point 3 in the Electron shell (thin: decisions are in the core's notify service and in
 * desktop-tray.logic.ts): OS notifications for the core's `notify.raised` events (clicking one
 * focuses the window and asks the renderer to open the item), a tray icon whose tooltip and menu
 * show the `tray.counts`, and "start with the OS" (`notifications.startWithOs` in config.json:
 * app.setLoginItemSettings on Windows/macOS, an XDG autostart file on Linux).
 */
import { homedir } from 'node:os';
import { app, Menu, Notification, Tray, nativeImage, type BrowserWindow } from 'electron';
import type { CoreEvent } from '../shared/api';
import type { DesktopEvent, TrayCounts } from '../shared/desktop';
import { applyLinuxAutostart, autostartDir, shouldPopUp, trayMenu, trayTooltip, APP_TITLE } from './desktop-tray.logic';

export interface DesktopTrayOptions {
  window: () => BrowserWindow | null;
  /** Show the window (create it if closed). */
  showWindow: () => void;
  /** Send an event to the renderer (the same channel as the core's events). */
  toRenderer: (event: CoreEvent) => void;
  /** Path of the tray icon (PNG). */
  iconPath: string;
}

export class DesktopTray {
  private tray: Tray | null = null;
  private counts: TrayCounts | null = null;
  /** Live notifications (Electron drops a Notification's click handler when it is garbage-collected). */
  private readonly shown = new Set<Notification>();

  constructor(private readonly options: DesktopTrayOptions) {}

  start(): void {
    if (this.tray) return;
    const icon = nativeImage.createFromPath(this.options.iconPath);
    this.tray = new Tray(icon.isEmpty() ? nativeImage.createEmpty() : icon);
    this.tray.setToolTip(APP_TITLE);
    this.tray.on('click', () => this.options.showWindow());
    this.render();
  }

  stop(): void {
    this.tray?.destroy();
    this.tray = null;
    for (const n of this.shown) n.close();
    this.shown.clear();
  }

  /** Every core event passes here (before it goes to the renderer). */
  onCoreEvent(event: DesktopEvent): void {
    if (event.type === 'tray.counts') {
      this.counts = event.counts;
      this.render();
    } else if (event.type === 'notify.raised') {
      const n = event.notification;
      if (!shouldPopUp(n) || !Notification.isSupported()) return;
      const popup = new Notification({ title: n.title, body: n.body, silent: false });
      this.shown.add(popup);
      popup.on('click', () => {
        this.options.showWindow();
        const first = n.itemIds[0];
        if (first !== undefined) this.options.toRenderer({ type: 'notify.open', itemId: first, notificationId: n.id });
      });
      popup.on('close', () => this.shown.delete(popup));
      popup.show();
    }
  }

  /** The counts known before the first `tray.counts` event (the core's notify.list at start). */
  setCounts(counts: TrayCounts): void {
    this.counts = counts;
    this.render();
  }

  /** Apply `notifications.startWithOs`. */
  applyStartWithOs(enabled: boolean): void {
    if (process.platform === 'linux') {
      const exec = app.isPackaged ? [process.execPath] : [process.execPath, app.getAppPath()];
      applyLinuxAutostart(enabled, autostartDir(process.env, homedir()), exec);
      return;
    }
    app.setLoginItemSettings({ openAtLogin: enabled });
  }

  private render(): void {
    if (!this.tray) return;
    this.tray.setToolTip(trayTooltip(this.counts));
    const items = trayMenu(this.counts).map((item) => ({
      label: item.label,
      enabled: item.enabled,
      click: item.action === 'open' ? () => this.options.showWindow() : item.action === 'quit' ? () => app.quit() : undefined,
    }));
    this.tray.setContextMenu(Menu.buildFromTemplate(items));
  }
}
