/**
 * Issue #7: the diagnostics bundle for IT staff (`diagnostics.bundle`, role 'it'). One JSON file:
 * versions, the configuration without secrets, backend states, sync and outbox health counters,
 * and the core's recent log lines — everything passed through one redactor, so neither secrets nor
 * citizens' personal data (CCCD/CMND numbers, phone numbers, e-mail addresses, names known to the
 * cache) leave the machine in it. The last step scans the finished text once more for the secret
 * values and the names, and refuses to answer if any is still there.
 */
import type Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { arch, platform } from 'node:os';
import type { BackendStatus } from '../../shared/api';
import type { WorkstationConfig } from '../config/config.schema';
import { DiagnosticsBundleSchema, type DiagnosticsBundle } from '../../shared/shell';
import { createRedactor, nameSet, namesPresent, redactDeep, stripSecrets, type RedactionCounts } from './redact';

export interface DiagnosticsDeps {
  db: Database.Database;
  /** The parsed configuration (with `{"$secret"}` references). */
  config: WorkstationConfig;
  /** Adapter configurations as used (secrets resolved) whose secret values are scrubbed everywhere. */
  resolvedAdapters: () => unknown[];
  statuses: () => BackendStatus[];
  recentLog: () => string[];
  now: () => number;
  /** Extra versions (the shell passes the app's version through CW_APP_VERSION). */
  appVersion?: string;
}

export function diagnosticsFilename(at: number): string {
  const d = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `chan-doan-ban-lam-viec-${d}.json`;
}

/** Names of people the cache knows: applicants, senders/parties, assignees, and the configured officials. */
function knownNames(db: Database.Database, config: unknown): Set<string> {
  const names: Array<string | null> = [];
  for (const row of db.prepare("SELECT DISTINCT party AS n FROM items WHERE party IS NOT NULL AND party <> ''").iterate() as Iterable<{ n: string }>) names.push(row.n);
  for (const row of db.prepare("SELECT DISTINCT assignee_name AS n FROM items WHERE assignee_name IS NOT NULL").iterate() as Iterable<{ n: string }>) names.push(row.n);
  for (const row of db
    .prepare("SELECT DISTINCT json_extract(detail_json, '$.applicant') AS n FROM items WHERE source = 'procedure'")
    .iterate() as Iterable<{ n: unknown }>) {
    if (typeof row.n === 'string') names.push(row.n);
  }
  const c = config as { user?: { fullName?: unknown }; office?: { officials?: Array<{ fullName?: unknown }> } };
  if (typeof c.user?.fullName === 'string') names.push(c.user.fullName);
  for (const o of c.office?.officials ?? []) if (typeof o.fullName === 'string') names.push(o.fullName);
  return nameSet(names);
}

function countBy(db: Database.Database, sql: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of db.prepare(sql).all() as Array<{ k: string; n: number }>) out[row.k] = row.n;
  return out;
}

function one(db: Database.Database, sql: string): number {
  const row = db.prepare(sql).get() as { n: number } | undefined;
  return row?.n ?? 0;
}

function fileBytes(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) if (existsSync(p)) total += statSync(p).size;
  return total;
}

export function buildDiagnosticsBundle(deps: DiagnosticsDeps): { filename: string; content: string; bundle: DiagnosticsBundle } {
  const at = deps.now();
  // Secret fields are masked in the configuration section whatever the backend. The values scrubbed
  // from the whole text: those of the backends' resolved configurations (`resolvedAdapters`: every
  // inline or keyring value; core.ts leaves out the training sandbox's public accounts) and any
  // outside the backends.
  const { clean: config } = stripSecrets(deps.config);
  const secretValues = stripSecrets({ ...deps.config, backends: [] }).secretValues;
  const resolvedSecrets = deps.resolvedAdapters().flatMap((a) => stripSecrets(a).secretValues);
  const names = knownNames(deps.db, deps.config);

  const versions: Record<string, string> = {};
  for (const key of ['node', 'electron', 'chrome', 'v8', 'modules'] as const) {
    const v = process.versions[key];
    if (typeof v === 'string') versions[key] = v;
  }
  versions['app'] = deps.appVersion ?? process.env['CW_APP_VERSION'] ?? process.env['npm_package_version'] ?? 'unknown';
  versions['sqlite'] = String((deps.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v);

  const backends = deps.statuses().map((b) => ({
    id: b.id,
    kind: b.kind,
    state: b.state,
    lastSyncAt: b.lastSyncAt,
    lastAttemptAt: b.lastAttemptAt,
    lastError: b.lastError,
    itemCount: b.itemCount,
    quarantined: b.quarantined,
  }));
  const raw: DiagnosticsBundle = {
    format: 'commune-workstation-diagnostics/1',
    createdAt: at,
    versions,
    platform: { os: platform(), arch: arch(), uptimeS: Math.round(process.uptime()) },
    config,
    backends,
    health: {
      items: one(deps.db, 'SELECT COUNT(*) AS n FROM items'),
      openItems: one(deps.db, 'SELECT COUNT(*) AS n FROM items WHERE is_open = 1'),
      quarantined: one(deps.db, 'SELECT COUNT(*) AS n FROM quarantine'),
      outbox: countBy(deps.db, 'SELECT state AS k, COUNT(*) AS n FROM outbox GROUP BY state'),
      auditEntries: one(deps.db, 'SELECT COUNT(*) AS n FROM audit_log'),
      schemaVersion: Number(deps.db.pragma('user_version', { simple: true })),
      cacheBytes: fileBytes(deps.db.name),
    },
    recentLog: deps.recentLog(),
    redactions: {},
  };
  // Only the names that occur in this bundle go into the pattern (the cache may know 100,000 names).
  const present = namesPresent(names, JSON.stringify(raw));
  const redactor = createRedactor({ secrets: [...secretValues, ...resolvedSecrets], names: present });
  const redacted = redactDeep({ ...raw, redactions: undefined }, redactor) as DiagnosticsBundle;
  const counts: RedactionCounts = redactor.counts;
  const bundle = DiagnosticsBundleSchema.parse({ ...redacted, redactions: { ...counts } });
  const content = JSON.stringify(bundle, null, 2);
  // Last line of defence: nothing known to be secret or a person's name may remain.
  for (const s of [...secretValues, ...resolvedSecrets]) {
    if (s.length >= 4 && content.includes(s)) throw new Error('diagnostics bundle still contains a secret value');
  }
  if (namesPresent(names, content).length > 0) throw new Error('diagnostics bundle still contains a name from the cache');
  return { filename: diagnosticsFilename(at), content, bundle };
}
