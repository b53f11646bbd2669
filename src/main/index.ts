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
import { isSafeExternalUrl, isTrustedRendererUrl, navigationAllowed, permissionAllowed, withRendererCsp } from './security';
// Issue #7 shell: core restarts, updates.
import { CoreSupervisor } from '../shared/core-supervisor';
import type { CoreRestartEvent } from '../shared/shell';
import { startUpdates } from './auto-update';
// Issue #7 notifications and tray (feature `desktop`).
import { DesktopTray } from './desktop-tray';
import { DesktopEventSchema, NotifyListOutputSchema } from '../shared/desktop';

// One instance per user: a second launch focuses the first window (second-instance below) and exits.
const isPrimaryInstance = app.requestSingleInstanceLock();
if (!isPrimaryInstance) app.exit(0);
// Every renderer sandboxed, whatever a window's options say (Electron security checklist).
app.enableSandbox();

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
    env['CW_APP_VERSION'] = app.getVersion();
    // better-sqlite3-multiple-ciphers (the encrypted cache) rebuilt for Electron's ABI by scripts/start.mjs (see README).
    const electronBinding = join(app.getAppPath(), '.electron-native', `better_sqlite3_mc-${process.versions.electron}.node`);
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
      } else if (msg.type === 'event') {
        const desktopEvent = DesktopEventSchema.safeParse(msg.event);
        if (desktopEvent.success) desktopTray?.onCoreEvent(desktopEvent.data);
        mainWindow?.webContents.send(IPC_EVENT_CHANNEL, msg.event);
      }
      else if (msg.type === 'fatal') reject(new Error(msg.message));
      else if (msg.type === 'secret') child.postMessage(answerSecret(msg));
    });
    child.on('exit', (code) => {
      for (const [id, settle] of pending) {
        settle({ ok: false, error: { code: 'unavailable', message: 'Bộ xử lý nền vừa dừng; thao tác chưa được ghi nhận, hãy thử lại sau giây lát.' } });
        pending.delete(id);
      }
      if (core === child) core = null;
      if (code !== 0) reject(new Error(`core exited (${code})`));
      // Issue #7: an unexpected exit is restarted by the supervisor (the outbox is in SQLite).
      supervisor?.exited(code);
    });
  });
}

let secretStore: SafeStorageSecrets | null = null;
let desktopTray: DesktopTray | null = null;
let supervisor: CoreSupervisor | null = null;

/** After a core restart: the banner, then a full refresh of the renderer's live queries. */
function tellRenderer(event: CoreRestartEvent): void {
  mainWindow?.webContents.send(IPC_EVENT_CHANNEL, event);
  if (event.state === 'restarted') mainWindow?.webContents.send(IPC_EVENT_CHANNEL, { type: 'items.changed', ids: [], more: true });
}

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
    // The Electron security checklist, written out literally so Electronegativity can read it;
    // tests/unit/main/security.test.ts checks this block against REQUIRED_WEB_PREFERENCES (security.ts).
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  void mainWindow.loadURL(url);
}

/** Issue #7: tray counts, OS notifications, start with the OS (settings from the core's notify.list). */
function startDesktopTray(): void {
  desktopTray = new DesktopTray({
    window: () => mainWindow,
    showWindow: () => {
      if (!mainWindow) createWindow();
      if (mainWindow?.isMinimized()) mainWindow.restore();
      mainWindow?.show();
      mainWindow?.focus();
    },
    toRenderer: (event) => mainWindow?.webContents.send(IPC_EVENT_CHANNEL, event),
    iconPath: join(app.getAppPath(), 'resources', 'tray', 'tray-icon.png'),
  });
  desktopTray.start();
  void callCore('notify.list', {}).then((envelope) => {
    const parsed = NotifyListOutputSchema.safeParse((envelope as { data?: unknown }).data);
    if (!parsed.success) return;
    desktopTray?.setCounts(parsed.data.counts);
    try {
      desktopTray?.applyStartWithOs(parsed.data.settings.startWithOs);
    } catch (error) {
      console.error(`start with the OS: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

function lockDownWebContents(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, target) => {
      if (!navigationAllowed(target, rendererUrl())) event.preventDefault();
    });
    contents.on('will-redirect', (event, target) => {
      if (!navigationAllowed(target, rendererUrl())) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionAllowed(permission)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));
  session.defaultSession.setDevicePermissionHandler(() => false);
  // The CSP also as a response header (the page's meta tag has the same policy).
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withRendererCsp(details.url, rendererUrl(), details.responseHeaders) });
  });
}

ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, method: unknown, input: unknown) => {
  const senderUrl = event.senderFrame?.url ?? '';
  // Only our page's main frame (never the mail reader's frame or anything it navigated to).
  if (!isTrustedRendererUrl(senderUrl, rendererUrl()) || !event.senderFrame || event.senderFrame.parent !== null) {
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
  desktopTray?.stop();
  supervisor?.stop();
  core?.postMessage({ type: 'shutdown' } satisfies ParentToCore);
  sandbox?.kill();
});

app
  .whenReady()
  .then(async () => {
    if (!isPrimaryInstance) return;
    lockDownWebContents();
    const dataDir = app.getPath('userData');
    const hasConfig = existsSync(join(dataDir, 'config.json'));
    const training = hasConfig ? null : await startSandbox();
    // Issue #7: the core is restarted when it stops unexpectedly (backoff, at most 5 per minute) and
    // the official is told; actions waiting in the outbox are in SQLite and survive.
    supervisor = new CoreSupervisor({
      launch: () => startCore(dataDir, training),
      onRestarted: ({ restartsLastMinute, at }) => tellRenderer({ type: 'core.restart', state: 'restarted', restartsLastMinute, at }),
      onGaveUp: ({ restartsLastMinute, at }) => tellRenderer({ type: 'core.restart', state: 'gave_up', restartsLastMinute, at }),
      onLaunchFailed: (error) => console.error(`core restart failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    await supervisor.start();
    createWindow();
    startDesktopTray();
    startUpdates({ userData: dataDir, training: training !== null, window: () => mainWindow });
  })
  .catch((err: unknown) => {
    dialog.showErrorBox('Không khởi động được', err instanceof Error ? err.message : String(err));
    app.quit();
  });
