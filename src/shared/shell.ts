/**
 * Issue #7 (feature key `shell`): the desktop shell's contract pieces — the event that tells the
 * official the background core was restarted, and the diagnostics bundle IT staff download.
 * Zod only (src/shared stays platform-free).
 */
import { z } from 'zod';

/**
 * The shell restarted the core after it stopped unexpectedly (`restarted`), or stopped trying after
 * too many crashes in a minute (`gave_up`). The outbox lives in SQLite, so waiting actions survive.
 */
export const CoreRestartEventSchema = z.object({
  type: z.literal('core.restart'),
  state: z.enum(['restarted', 'gave_up']),
  /** Restarts within the last minute (including this one). */
  restartsLastMinute: z.number().int().min(0),
  at: z.number(),
});
export type CoreRestartEvent = z.infer<typeof CoreRestartEventSchema>;

export const DiagnosticsBackendSchema = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.string(),
  lastSyncAt: z.number().nullable(),
  lastAttemptAt: z.number().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.number() }).nullable(),
  itemCount: z.number(),
  quarantined: z.number(),
});

export const DiagnosticsBundleSchema = z.object({
  format: z.literal('commune-workstation-diagnostics/1'),
  createdAt: z.number(),
  versions: z.record(z.string(), z.string()),
  platform: z.object({ os: z.string(), arch: z.string(), uptimeS: z.number() }),
  /** config.json as parsed, secrets and personal data replaced by placeholders. */
  config: z.unknown(),
  backends: z.array(DiagnosticsBackendSchema),
  health: z.object({
    items: z.number(),
    openItems: z.number(),
    quarantined: z.number(),
    outbox: z.record(z.string(), z.number()),
    auditEntries: z.number(),
    schemaVersion: z.number(),
    cacheBytes: z.number(),
  }),
  /** The core's most recent log lines, personal data redacted. */
  recentLog: z.array(z.string()),
  /** What was removed, so IT staff know the bundle is incomplete on purpose. */
  redactions: z.record(z.string(), z.number()),
});
export type DiagnosticsBundle = z.infer<typeof DiagnosticsBundleSchema>;

export const DiagnosticsBundleOutputSchema = z.object({
  filename: z.string(),
  /** The bundle as pretty JSON (what is saved). */
  content: z.string(),
});
