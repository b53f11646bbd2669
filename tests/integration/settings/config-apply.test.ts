/**
 * Settings take effect without restarting the app: a core built from config.json pointing at a
 * closed port (offline), IT staff save the right URL through `config.save`, the core is rebuilt from
 * the file while calls keep being answered, subscribers get `config.applied`, the backend comes online
 * and the training sandbox's dossiers land — over real HTTP into the real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackendStatus, CoreEvent } from '../../../src/shared/api';
import type { ConfigView } from '../../../src/shared/settings';
import { loadConfigFile } from '../../../src/core/config/config.file';
import { TRAINING_CREDENTIALS } from '../../../src/core/config/config.schema';
import { createCore } from '../../../src/core/core';
import { createReloadableCore, type ReloadableCore } from '../../../src/core/reloadable-core';
import { MemorySecretStore } from '../../../src/core/secrets/secret-store';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { writeOfficeConfig, type OfficeConfigUser } from '../../support/config-file';
import { ok } from '../../support/envelope';
import { freePort as closedPort } from '../../support/ports';

const IT_MINH: OfficeConfigUser = { username: 'it.minh', fullName: 'Trần Văn Minh', role: 'it' };

let dir: string;
let sandbox: TrainingSandbox;
let core: ReloadableCore | null;


async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-config-apply-'));
  sandbox = await TrainingSandbox.start({ seed: 11, days: 2, dossiersPerDay: 15, documentsPerDay: 4, streamIntervalMs: 0 });
  core = null;
});

afterEach(async () => {
  await core?.close();
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('saving settings applies them at once', () => {
  it('rebuilds the core from the saved file: the backend comes online and syncs, subscribers stay, calls keep answering', async () => {
    const store = new MemorySecretStore({ 'dvc.password': TRAINING_CREDENTIALS.procedure.password });
    writeOfficeConfig(
      dir,
      [
        {
          adapter: { kind: 'procedure', id: 'dvc', label: 'Một cửa', baseUrl: `http://127.0.0.1:${await closedPort()}`, username: TRAINING_CREDENTIALS.procedure.username, password: { $secret: 'dvc.password' }, retries: 0 },
          pollIntervalMs: 200,
        },
      ],
      IT_MINH,
    );
    const builds: number[] = [];
    core = await createReloadableCore({
      build: async () => {
        builds.push(Date.now());
        const loaded = await loadConfigFile(join(dir, 'config.json'), store);
        return createCore({ dataDir: dir, config: loaded.config, secrets: store, backoff: { baseMs: 50, maxMs: 100 } });
      },
      autoStart: true,
      log: () => undefined,
    });
    const events: CoreEvent[] = [];
    core.subscribe((e) => events.push(e));
    const c = core;
    const backend = async (): Promise<BackendStatus | undefined> => ok<BackendStatus[]>(await c.handle('backends.list', {})).find((b) => b.id === 'dvc');
    await until(async () => (await backend())?.state === 'offline');

    // IT staff fix the URL in the settings screen and save.
    const view = ok<ConfigView>(await core.handle('config.get', {}));
    const config = JSON.parse(JSON.stringify(view.config)) as { backends: Array<{ adapter: Record<string, unknown> }> };
    config.backends[0]!.adapter['baseUrl'] = sandbox.procedureUrl;
    config.backends[0]!.adapter['label'] = 'Một cửa điện tử tỉnh';
    ok(await core.handle('config.save', { config }));
    // A call right after the save is answered (by the new core once it serves).
    expect((await backend())?.label).toBe('Một cửa điện tử tỉnh');
    await until(async () => events.some((e) => e.type === 'config.applied'));
    expect(events.find((e) => e.type === 'config.applied')).toMatchObject({ type: 'config.applied', ok: true });
    expect(builds).toHaveLength(2);

    await until(async () => (await backend())?.state === 'online');
    // The sandbox's dossiers land through the new core (none could before: the port was closed).
    await until(async () => ok<{ items: unknown[] }>(await c.handle('queue.list', { filter: { scope: 'all', sources: ['procedure'], includeClosed: true }, offset: 0, limit: 5 })).items.length > 0);
    expect((await backend())?.itemCount).toBeGreaterThan(0);
    // Subscribers registered before the swap still get the new core's events.
    expect(events.some((e) => e.type === 'items.changed')).toBe(true);
  });

  it('a call that fails validation rebuilds nothing', async () => {
    writeOfficeConfig(dir, [{ adapter: { kind: 'procedure', id: 'dvc', label: 'Một cửa', baseUrl: sandbox.procedureUrl, ...TRAINING_CREDENTIALS.procedure, retries: 0 }, pollIntervalMs: 200 }], IT_MINH);
    const store = new MemorySecretStore({});
    let builds = 0;
    core = await createReloadableCore({
      build: async () => {
        builds += 1;
        const loaded = await loadConfigFile(join(dir, 'config.json'), store);
        return createCore({ dataDir: dir, config: loaded.config, secrets: store });
      },
      autoStart: false,
      log: () => undefined,
    });
    const refused = await core.handle('config.save', { config: { backends: [{ adapter: { kind: 'procedure', id: '' } }] } });
    expect(refused.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(builds).toBe(1);
  });
});
