/** Issue #7: start support/role-web-app.process.ts (the web app signed in with another role). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The web app signed in as `role` (support/role-web-app.process.ts); resolves with its URL and a stop function. */
export async function startAs(role: 'supervisor' | 'it'): Promise<{ openUrl: string; stop: () => void }> {
  const root = join(import.meta.dirname, '..', '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/e2e/support/role-web-app.process.ts')], {
    cwd: root,
    env: { ...process.env, CW_E2E_ROLE: role },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await new Promise<{ openUrl: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`web app (${role}) exited ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { type?: string; openUrl?: string };
        if (msg.type === 'ready' && msg.openUrl) resolve({ openUrl: msg.openUrl });
      } catch {
        // log lines
      }
    });
  });
  return {
    openUrl: ready.openUrl,
    stop: () => {
      child.stdin.write('quit\n');
      setTimeout(() => child.kill(), 5000).unref();
    },
  };
}

