/**
 * Issue #7: updates through electron-updater, behind an interface so the policy is tested under plain
 * Node with a fake (no electron import here; src/main/index.ts adapts electron-updater's autoUpdater).
 *
 * Policy: IT staff set the update server in `<userData>/update.json` (never in code); without that
 * file nothing is checked. Checks run at start and every `intervalHours`; never in training mode
 * unless `inTraining` is true; an available update is downloaded in the background, then the official
 * is asked before the app restarts to install it (declining keeps working; it installs on the next
 * quit). Errors (offline, server down) are logged and retried at the next interval.
 */
import { z } from 'zod';

export const UpdateSettingsSchema = z.strictObject({
  /** The generic-provider folder holding latest.yml / latest-linux.yml (https, or http on loopback for tests). */
  url: z
    .string()
    .url()
    .refine((u) => {
      const parsed = new URL(u);
      return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname));
    }, 'Địa chỉ máy chủ cập nhật phải dùng https (chỉ cho phép http trên 127.0.0.1 khi kiểm thử)'),
  intervalHours: z.number().min(1).max(24 * 7).default(6),
  inTraining: z.boolean().default(false),
});
export type UpdateSettings = z.infer<typeof UpdateSettingsSchema>;

export const UPDATE_SETTINGS_FILE = 'update.json';

/** Parse update.json's text: the settings, or null with a Vietnamese reason (the app runs on without updates). */
export function parseUpdateSettings(text: string | null): { settings: UpdateSettings | null; error: string | null } {
  if (text === null) return { settings: null, error: null };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { settings: null, error: 'Tệp update.json không phải JSON hợp lệ; tạm không kiểm tra cập nhật.' };
  }
  const parsed = UpdateSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(tệp)'}: ${i.message}`).join('; ');
    return { settings: null, error: `Tệp update.json sai: ${issues}. Tạm không kiểm tra cập nhật.` };
  }
  return { settings: parsed.data, error: null };
}

/** What the shell needs from electron-updater (its autoUpdater, with autoDownload off). */
export interface UpdateSource {
  setFeedURL(url: string): void;
  /** Resolves with the newer version available, or null when up to date. */
  check(): Promise<string | null>;
  download(): Promise<void>;
  quitAndInstall(): void;
}

export interface UpdateShell {
  /** Ask the official whether to restart now to install `version`. */
  askRestart(version: string): Promise<boolean>;
  log(level: 'info' | 'warn' | 'error', msg: string): void;
}

export type CheckOutcome = 'disabled' | 'up_to_date' | 'installing' | 'later' | 'failed' | 'busy';

export interface UpdateControllerOptions {
  source: UpdateSource;
  shell: UpdateShell;
  settings: UpdateSettings | null;
  training: boolean;
  schedule?: (fn: () => void, ms: number) => () => void;
}

export class UpdateController {
  private cancel: (() => void) | null = null;
  private running = false;
  private downloaded: string | null = null;
  private readonly schedule: (fn: () => void, ms: number) => () => void;

  constructor(private readonly options: UpdateControllerOptions) {
    this.schedule =
      options.schedule ??
      ((fn, ms) => {
        const t = setInterval(fn, ms);
        return () => clearInterval(t);
      });
  }

  /** Why updates are off, or null when they are on. */
  get disabledReason(): string | null {
    if (!this.options.settings) return 'no update.json';
    if (this.options.training && !this.options.settings.inTraining) return 'training mode';
    return null;
  }

  /** First check now, then every intervalHours (a repeating timer). */
  start(): void {
    const reason = this.disabledReason;
    if (reason || !this.options.settings) {
      this.options.shell.log('info', `updates off: ${reason ?? 'no settings'}`);
      return;
    }
    this.options.source.setFeedURL(this.options.settings.url);
    void this.checkNow();
    this.cancel = this.schedule(() => void this.checkNow(), this.options.settings.intervalHours * 3_600_000);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  async checkNow(): Promise<CheckOutcome> {
    if (this.disabledReason) return 'disabled';
    if (this.running) return 'busy';
    this.running = true;
    try {
      let version = this.downloaded;
      if (!version) {
        version = await this.options.source.check();
        if (!version) return 'up_to_date';
        this.options.shell.log('info', `update ${version} available, downloading`);
        await this.options.source.download();
        this.downloaded = version;
      }
      if (await this.options.shell.askRestart(version)) {
        this.stop();
        this.options.source.quitAndInstall();
        return 'installing';
      }
      return 'later';
    } catch (error) {
      this.options.shell.log('warn', `update check failed: ${error instanceof Error ? error.message : String(error)}`);
      return 'failed';
    } finally {
      this.running = false;
    }
  }
}
