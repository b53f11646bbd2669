import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { test as base } from '@playwright/test';

export interface WebAppHandle {
  url: string;
  openUrl: string;
  token: string;
  command(cmd: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Start tests/e2e/support/web-app.process.ts with extra environment; resolves once it is ready. */
async function spawnApp(env: Record<string, string>): Promise<{ handle: WebAppHandle; stop: () => Promise<void> }> {
  const root = join(import.meta.dirname, '..', '..', '..');
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/e2e/support/web-app.process.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(msg: Record<string, unknown>) => void> = [];
  lines.on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    waiting.shift()?.(msg);
  });
  const next = () => new Promise<Record<string, unknown>>((ok) => waiting.push(ok));
  const ready = await next();
  if (ready['type'] !== 'ready') throw new Error(`web app failed: ${JSON.stringify(ready)}`);
  const handle: WebAppHandle = {
    url: String(ready['url']),
    openUrl: String(ready['openUrl']),
    token: String(ready['token']),
    async command(cmd) {
      const reply = next();
      child.stdin.write(`${JSON.stringify(cmd)}\n`);
      const msg = await reply;
      if (msg['type'] === 'error') throw new Error(String(msg['message']));
      return msg;
    },
  };
  return {
    handle,
    async stop() {
      await handle.command({ cmd: 'quit' }).catch(() => undefined);
      child.kill();
    },
  };
}

/**
 * One real web app (sandbox + core + host) per worker, in a child process. `mailApp` is another one
 * with a mail account on real Dovecot + Postfix beside the training backends (CW_E2E_MAIL=1).
 */
export const test = base.extend<{ ownApp: WebAppHandle }, { app: WebAppHandle; mailApp: WebAppHandle }>({
  /** A web app of the test's own, for a test that changes who is signed in (the shared `app` must not). */
  ownApp: async ({}, use) => {
    const { handle, stop } = await spawnApp({});
    await use(handle);
    await stop();
  },
  app: [
    async ({}, use) => {
      const { handle, stop } = await spawnApp({});
      await use(handle);
      await stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  mailApp: [
    async ({}, use) => {
      const { handle, stop } = await spawnApp({ CW_E2E_MAIL: '1' });
      await use(handle);
      await stop();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});

export { expect } from '@playwright/test';
