/**
 * Issue #5 e2e: the real web app signed in as a SUPERVISOR (lanhdao.thang) — training sandbox + core
 * + browser host on a temp data folder, the core's clock pinned at the instant the sandbox's history
 * ends, so the figures the page shows can be compared with ones computed here independently from
 * the sandbox's own records (tests/support/dashboard-expected.ts). Line commands on stdin, JSON lines
 * on stdout:
 *   {"cmd":"expected","days":30}                    the independent figures for that period
 *   {"cmd":"emit","count":2}                        new dossiers arrive on the backend (the stream)
 *   {"cmd":"find-late"}                             an open overdue dossier in status 2/4 (reassignable)
 *   {"cmd":"dossier","id":"…"}                      the backend's status, handler and forward actions
 *   {"cmd":"outside","kind":"…","allowed":["…"]}    open items of that kind held by anyone else
 *   {"cmd":"quit"}
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { trainingConfig } from '../../../src/core/config/config.schema';
import { createCore } from '../../../src/core/core';
import { DEFAULT_RENDERER_DIR } from '../../../src/host/web-app';
import { startHost } from '../../../src/host/host.server';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { DOSSIER_CLOSED, expectedDashboard } from '../../support/dashboard-expected';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const dataDir = mkdtempSync(join(tmpdir(), 'cw-e2e-dashboard-'));

type Dossier = ReturnType<TrainingSandbox['dossierRecords']>[number];

/** An open overdue dossier in status 2/4 held by someone other than canbo.tuan (reassignable to him). */
function lateReassignable(sandbox: TrainingSandbox, t: number, skip: ReadonlySet<string>): Dossier | undefined {
  return sandbox
    .dossierRecords()
    .find((x) => (x.status === '4' || x.status === '2') && x.dueAt !== null && x.dueAt < t && x.assignee !== null && x.assignee.username !== 'canbo.tuan' && !skip.has(x.code));
}

/**
 * The pinned clock: the latest whole hour back from now (at most a day) at which the generated office
 * has a late dossier to reassign. The generator keeps ~99 % on time, so at some hours of the day it
 * leaves none in status 2/4 (the overdue ones all wait for papers or fees) and the reassign test
 * would depend on when it runs.
 */
async function startSandbox(): Promise<{ T: number; sandbox: TrainingSandbox }> {
  const now = Math.floor(Date.now() / 1000) * 1000;
  for (let h = 0; h <= 24; h++) {
    const t = now - h * HOUR;
    const candidate = await TrainingSandbox.start({ seed: 5, now: t, clock: () => t, streamIntervalMs: 0, days: 20, dossiersPerDay: 30, documentsPerDay: 8, mail: false });
    if (lateReassignable(candidate, t, new Set())) return { T: t, sandbox: candidate };
    await candidate.stop();
  }
  throw new Error('no hour of the last day has a late dossier in status 2/4');
}

const { T, sandbox } = await startSandbox();
const base = trainingConfig({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl, credentials: sandbox.credentials, pollIntervalMs: 1000 });
const config = {
  ...base,
  user: { username: 'lanhdao.thang', fullName: 'Đỗ Quang Thắng', role: 'supervisor' as const },
  backends: base.backends.filter((b) => b.adapter['kind'] !== 'mail'),
};
const core = await createCore({ dataDir, config, now: () => T, outboxRetry: { baseMs: 50, maxMs: 500 } });
core.start();
const host = await startHost({ core, rendererDir: DEFAULT_RENDERER_DIR, token: 'e2e-dashboard-token' });

function say(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

say({ type: 'ready', url: host.url, openUrl: host.openUrl, now: T });

const handedOut = new Set<string>();
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  void (async () => {
    const msg = JSON.parse(line) as { cmd: string; days?: number | null; id?: string; kind?: string; allowed?: string[]; count?: number };
    if (msg.cmd === 'expected') {
      const e = expectedDashboard(sandbox.dossierRecords(), sandbox.documentRecords(), T, msg.days == null ? -Infinity : T - msg.days * DAY);
      say({ type: 'done', totals: e.totals, byOfficial: Object.fromEntries(e.byOfficial), resolvedByName: Object.fromEntries(e.resolvedByName), aging: e.aging, lateTotal: e.lateTotal });
    } else if (msg.cmd === 'emit') {
      say({ type: 'done', created: sandbox.emit('procedure', msg.count ?? 1) });
    } else if (msg.cmd === 'find-late') {
      const d = lateReassignable(sandbox, T, handedOut);
      if (!d) throw new Error('no late dossier in status 2/4');
      handedOut.add(d.code);
      say({ type: 'done', code: d.code, kind: d.procedure.name, assignee: d.assignee?.username ?? null });
    } else if (msg.cmd === 'dossier') {
      const d = sandbox.dossierRecords().find((x) => x.code === msg.id);
      say({
        type: 'done',
        status: d?.status ?? null,
        assignee: d?.assignee?.username ?? null,
        forwards: sandbox.actionLog().filter((a) => a.id === msg.id && a.action === 'dossier.forward').length,
      });
    } else if (msg.cmd === 'outside') {
      const allowed = new Set(msg.allowed ?? []);
      const dossiers = sandbox.dossierRecords().filter((x) => !DOSSIER_CLOSED.has(x.status) && x.procedure.name === msg.kind && x.assignee !== null && !allowed.has(x.assignee.username));
      say({ type: 'done', count: dossiers.length, codes: dossiers.map((x) => x.code) });
    } else if (msg.cmd === 'quit') {
      await host.close();
      await core.close();
      await sandbox.stop();
      say({ type: 'done' });
      process.exit(0);
    } else {
      throw new Error(`unknown command ${msg.cmd}`);
    }
  })().catch((err: unknown) => say({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
});
