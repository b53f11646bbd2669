/**
 * Issue #7: electron-updater wired to the tested policy in ./updater.ts. The update server comes from
 * `<userData>/update.json` (IT staff); the official is asked in a dialog before the app restarts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dialog, type BrowserWindow } from 'electron';
import electronUpdater from 'electron-updater';
import { UPDATE_SETTINGS_FILE, UpdateController, parseUpdateSettings } from './updater';

export function startUpdates(options: { userData: string; training: boolean; window: () => BrowserWindow | null }): UpdateController | null {
  const file = join(options.userData, UPDATE_SETTINGS_FILE);
  const { settings, error } = parseUpdateSettings(existsSync(file) ? readFileSync(file, 'utf8') : null);
  if (error) console.warn(error);
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = true;
  const controller = new UpdateController({
    settings,
    training: options.training,
    source: {
      setFeedURL: (url) => autoUpdater.setFeedURL({ provider: 'generic', url }),
      check: async () => {
        const result = await autoUpdater.checkForUpdates();
        return result?.isUpdateAvailable ? result.updateInfo.version : null;
      },
      download: async () => {
        await autoUpdater.downloadUpdate();
      },
      quitAndInstall: () => autoUpdater.quitAndInstall(false, true),
    },
    shell: {
      askRestart: async (version) => {
        const win = options.window();
        const box = {
          type: 'question' as const,
          buttons: ['Khởi động lại ngay', 'Để sau'],
          defaultId: 1,
          cancelId: 1,
          title: 'Có bản cập nhật',
          message: `Đã tải xong phiên bản ${version} của Bàn làm việc một cửa.`,
          detail: 'Khởi động lại để cài đặt? Các thao tác đang chờ gửi vẫn được giữ nguyên. Nếu chọn "Để sau", bản cập nhật được cài khi anh/chị đóng ứng dụng.',
        };
        const answer = win ? await dialog.showMessageBox(win, box) : await dialog.showMessageBox(box);
        return answer.response === 0;
      },
      log: (level, msg) => (level === 'info' ? console.log(`[update] ${msg}`) : console.warn(`[update] ${msg}`)),
    },
  });
  controller.start();
  return controller;
}
