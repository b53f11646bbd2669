/**
 * Electron main: a thin shell. It starts the training sandbox (first run) and the core in
 * utilityProcesses (plain Node, off the UI thread), opens one locked-down window, and relays the
 * renderer's contract calls to the core over a single checked IPC channel. Nothing else lives here.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { app, BrowserWindow, dialog, ipcMain, session, shell, utilityProcess, type UtilityProcess } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, isKnownMethodName } from '../shared/channels';
import { CoreToParentSchema, SandboxReadySchema, type CoreToParent, type ParentToCore, type TrainingEndpoints } from '../shared/core-channel';
import { SafeStorageSecrets } from './safe-storage.secrets';
import { saveAttachmentViaShell } from './save-attachment';
import { hardenedWebPreferences, isSafeExternalUrl, isTrustedRendererUrl } from './security';

if (!app.requestSingleInstanceLock()) {
  app.quit();
}

let mainWindow: BrowserWindow | null = null;
let core: UtilityProcess | null = null;
let sandbox: UtilityProcess | null = null;
let nextCallId = 1;
const pending = new Map<number, (envelope: unknown) => void>();

function rendererUrl(): string {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  if (dev && !app.isPackaged) return dev;
  return new URL(`file://${join(__dirname, '../renderer/index.html')}`).toString();
}

function startSandbox(): Promise<TrainingEndpoints> {
  return new Promise((resolve, reject) => {
    const child = utilityProcess.fork(join(__dirname, 'sandbox.js'), [], { serviceName: 'cw-sandbox' });
    sandbox = child;
    const timer = setTimeout(() => reject(new Error('training sandbox did not start in 30 s')), 30_000);
    child.on('message', (msg: unknown) => {
      const parsed = SandboxReadySchema.safeParse(msg);
      if (parsed.success) {
        clearTimeout(timer);
        const { procedureUrl, documentUrl, imapPort, smtpPort } = parsed.data;
        resolve({ procedureUrl, documentUrl, imapPort, smtpPort });
      }
    });
    child.on('exit', (code) => reject(new Error(`training sandbox exited (${code})`)));
  });
}

function startCore(dataDir: string, training: TrainingEndpoints | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      CW_DATA_DIR: dataDir,
    };
    if (training) env['CW_TRAINING_URLS'] = JSON.stringify(training);
    // Backend secrets come from this process's safeStorage (secret / secret-result messages).
    env['CW_SECRETS'] = 'parent';
    // better-sqlite3 rebuilt for Electron's ABI by scripts/start.mjs (see README).
    const electronBinding = join(app.getAppPath(), '.electron-native', `better_sqlite3-${process.versions.electron}.node`);
    if (existsSync(electronBinding)) env['CW_SQLITE_BINDING'] = electronBinding;
    const child = utilityProcess.fork(join(__dirname, 'core.js'), [], { serviceName: 'cw-core', env });
    core = child;
    child.on('message', (raw: unknown) => {
      const parsed = CoreToParentSchema.safeParse(raw);
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.type === 'ready') resolve();
      else if (msg.type === 'result') {
        pending.get(msg.id)?.(msg.envelope);
        pending.delete(msg.id);
      } else if (msg.type === 'event') mainWindow?.webContents.send(IPC_EVENT_CHANNEL, msg.event);
      else if (msg.type === 'fatal') reject(new Error(msg.message));
      else if (msg.type === 'secret') child.postMessage(answerSecret(msg));
    });
    child.on('exit', (code) => {
      for (const [id, settle] of pending) {
        settle({ ok: false, error: { code: 'unavailable', message: 'core process stopped' } });
        pending.delete(id);
      }
      if (code !== 0) reject(new Error(`core exited (${code})`));
    });
  });
}

let secretStore: SafeStorageSecrets | null = null;

/** The core asks for a backend secret: answered from safeStorage, never logged. */
function answerSecret(req: Extract<CoreToParent, { type: 'secret' }>): ParentToCore {
  try {
    secretStore ??= new SafeStorageSecrets(app.getPath('userData'));
    if (req.op === 'get') return { type: 'secret-result', id: req.id, ok: true, value: secretStore.get(req.name) };
    if (req.op === 'set') {
      secretStore.set(req.name, req.value ?? '');
      return { type: 'secret-result', id: req.id, ok: true, value: null };
    }
    return { type: 'secret-result', id: req.id, ok: true, value: null, deleted: secretStore.delete(req.name) };
  } catch (error) {
    return { type: 'secret-result', id: req.id, ok: false, value: null, error: error instanceof Error ? error.message : String(error) };
  }
}

function callCore(method: string, input: unknown): Promise<unknown> {
  const child = core;
  if (!child) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'core not running' } });
  const id = nextCallId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    const msg: ParentToCore = { type: 'call', id, method, input };
    child.postMessage(msg);
  });
}

/** Have the core write a mail attachment to a path the official chose (core-channel `saveAttachment`). */
function writeAttachmentInCore(itemId: string, index: number, path: string): Promise<unknown> {
  const child = core;
  if (!child) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'core not running' } });
  const id = nextCallId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    const msg: ParentToCore = { type: 'saveAttachment', id, itemId, index, path };
    child.postMessage(msg);
  });
}

/** The save dialog for an attachment, attached to the window, starting in Downloads. */
async function askWhereToSave(defaultName: string): Promise<{ canceled: boolean; filePath?: string | undefined }> {
  const options = { defaultPath: join(app.getPath('downloads'), defaultName) };
  const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
  return { canceled: result.canceled, filePath: result.filePath };
}

function createWindow(): void {
  const url = rendererUrl();
  mainWindow = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Bàn làm việc một cửa',
    webPreferences: hardenedWebPreferences(join(__dirname, '../preload/index.js')),
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  void mainWindow.loadURL(url);
}

function lockDownWebContents(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, target) => {
      if (!isTrustedRendererUrl(target, rendererUrl())) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, method: unknown, input: unknown) => {
  const senderUrl = event.senderFrame?.url ?? '';
  if (!isTrustedRendererUrl(senderUrl, rendererUrl())) {
    return { ok: false, error: { code: 'unauthorized', message: 'untrusted sender' } };
  }
  if (!isKnownMethodName(method)) {
    return { ok: false, error: { code: 'invalid_input', message: 'unknown method' } };
  }
  // Saving an attachment needs the save dialog: the shell handles it (src/main/save-attachment.ts).
  if (method === 'mail.saveAttachment') {
    return saveAttachmentViaShell(input, { callCore, writeAttachment: writeAttachmentInCore, showSaveDialog: askWhereToSave });
  }
  // The core validates `input` against the contract's schema.
  return callCore(method, input);
});

app.on('second-instance', () => {
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
});

app.on('window-all-closed', () => {
  app.quit();
});

app.on('before-quit', () => {
  core?.postMessage({ type: 'shutdown' } satisfies ParentToCore);
  sandbox?.kill();
});

app
  .whenReady()
  .then(async () => {
    lockDownWebContents();
    const dataDir = app.getPath('userData');
    const hasConfig = existsSync(join(dataDir, 'config.json'));
    const training = hasConfig ? null : await startSandbox();
    await startCore(dataDir, training);
    createWindow();
  })
  .catch((err: unknown) => {
    dialog.showErrorBox('Không khởi động được', err instanceof Error ? err.message : String(err));
    app.quit();
  });
