/**
 * Contract pieces of the IT-staff settings screen (issue #5 points 6–9): configuration without secret
 * values, test connection steps, working calendar, configuration profiles, sync health and the core log.
 * Only zod here (shared code imports nothing platform-specific).
 */
import { z } from 'zod';
import { SourceSchema } from './domain';

// ---------- configuration ----------

/**
 * How a secret field (password, clientSecret…) appears in `config.get`: never its value. Sending the
 * marker back unchanged in `config.save` keeps the stored secret; a plain string there is a new value
 * (moved to the OS keyring, never written to the file).
 */
export const SecretMarkerSchema = z.strictObject({
  $keep: z.literal(true),
  /** A value is stored (keyring, or inline for training backends). */
  set: z.boolean(),
  /** The keyring name of the `{"$secret"}` reference; null when the file holds the value inline (training). */
  ref: z.string().nullable(),
});
export type SecretMarker = z.infer<typeof SecretMarkerSchema>;

export const SettingsBackendSchema = z.object({
  adapter: z.record(z.string(), z.unknown()),
  pollIntervalMs: z.number().int(),
  training: z.boolean(),
});

export const ConfigViewSchema = z.object({
  /** A config.json exists and may be saved (false in the built-in training mode). */
  editable: z.boolean(),
  /** The whole configuration with every secret replaced by a SecretMarker. */
  config: z.record(z.string(), z.unknown()),
  backends: z.array(SettingsBackendSchema),
});
export type ConfigView = z.infer<typeof ConfigViewSchema>;

export const ConfigValidationSchema = z.object({
  ok: z.boolean(),
  /** One Vietnamese line per problem, naming the field. */
  issues: z.array(z.string()),
});
export type ConfigValidation = z.infer<typeof ConfigValidationSchema>;

export const ConfigSaveResultSchema = z.object({
  saved: z.literal(true),
  /** Secrets typed in the form and stored in the keyring (names only). */
  storedSecrets: z.array(z.string()),
  /** Changes take effect when the workstation starts again (the sync loops are not swapped live). */
  restartRequired: z.boolean(),
});

// ---------- test connection ----------

export const CONNECTION_STEPS = ['dns', 'tcp', 'tls', 'auth', 'api', 'sample'] as const;
export const ConnectionStepIdSchema = z.enum(CONNECTION_STEPS);
export type ConnectionStepId = z.infer<typeof ConnectionStepIdSchema>;

export const CertificateInfoSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  fingerprint256: z.string(),
});
export type CertificateInfo = z.infer<typeof CertificateInfoSchema>;

export const ConnectionStepSchema = z.object({
  id: ConnectionStepIdSchema,
  status: z.enum(['ok', 'failed', 'skipped']),
  durationMs: z.number().int().min(0),
  /** What happened, plain Vietnamese. */
  message: z.string(),
  /** What to do about it (failed steps). */
  advice: z.string().nullable(),
  /** Technical detail for IT staff (error code), never a secret. */
  technical: z.string().nullable(),
  /** TLS step: the chain the server presented, leaf first. */
  chain: z.array(CertificateInfoSchema).optional(),
});
export type ConnectionStep = z.infer<typeof ConnectionStepSchema>;

export const ConnectionTestResultSchema = z.object({
  ok: z.boolean(),
  kind: SourceSchema,
  target: z.string(),
  failedStep: ConnectionStepIdSchema.nullable(),
  steps: z.array(ConnectionStepSchema),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResultSchema>;

// ---------- calendar ----------

export const CalendarViewSchema = z.object({
  /** The calendar data (resources/calendars format), defaults applied. */
  data: z.record(z.string(), z.unknown()),
  /** Where it comes from: the shipped file, a file beside config.json, or inline in config.json. */
  source: z.enum(['shipped', 'file', 'inline']),
  editable: z.boolean(),
});
export type CalendarView = z.infer<typeof CalendarViewSchema>;

// ---------- profiles ----------

/** The kind marker of an exported configuration profile. */
export const PROFILE_KIND = 'commune-workstation/config-profile';
export const PROFILE_VERSION = 1;

// ---------- health and logs ----------

export const BackendHealthSchema = z.object({
  id: z.string(),
  kind: SourceSchema,
  label: z.string(),
  /** BackendStatus.state (api.ts; not imported here: api.ts imports this file). */
  state: z.string(),
  lastSuccessAt: z.number().nullable(),
  lastAttemptAt: z.number().nullable(),
  errorsLast24h: z.number().int(),
  errorsTotal: z.number().int(),
  errorsByCode: z.record(z.string(), z.number().int()),
  recentErrors: z.array(z.object({ at: z.number(), code: z.string(), message: z.string() })),
  itemCount: z.number().int(),
  quarantined: z.number().int(),
});
export type BackendHealth = z.infer<typeof BackendHealthSchema>;

export const LOG_LEVELS = ['info', 'warn', 'error'] as const;
export const LogEntrySchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  level: z.enum(LOG_LEVELS),
  msg: z.string(),
  backend: z.string().nullable(),
  /** The entry's data as JSON, secrets redacted. */
  data: z.string().nullable(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

// ---------- methods (spread into apiContract) ----------

const BackendIdSchema = z.string().trim().min(1).max(100);

export const settingsContract = {
  /** The configuration without secret values (IT staff). */
  'config.get': { input: z.strictObject({}), output: ConfigViewSchema },
  /** Check a whole configuration (as config.save would) without writing anything. */
  'config.validate': { input: z.strictObject({ config: z.record(z.string(), z.unknown()) }), output: ConfigValidationSchema },
  /** Validate fully, move typed secrets to the keyring, write config.json atomically. */
  'config.save': { input: z.strictObject({ config: z.record(z.string(), z.unknown()) }), output: ConfigSaveResultSchema },
  /**
   * Walk DNS → TCP → TLS → sign-in → API → sample fetch for one backend: a configured one
   * (`backendId`) or the form's unsaved adapter config (`adapter`, secret markers allowed).
   */
  'connection.test': {
    input: z
      .strictObject({
        backendId: BackendIdSchema.optional(),
        adapter: z.record(z.string(), z.unknown()).optional(),
      })
      .refine((v) => (v.backendId === undefined) !== (v.adapter === undefined), { message: 'give backendId or adapter' }),
    output: ConnectionTestResultSchema,
  },
  'calendar.get': { input: z.strictObject({}), output: CalendarViewSchema },
  /** Replace the office calendar (validated; stored inline in config.json). */
  'calendar.set': { input: z.strictObject({ data: z.record(z.string(), z.unknown()) }), output: CalendarViewSchema },
  /** The calendar as a JSON file to save. */
  'calendar.export': { input: z.strictObject({}), output: z.object({ filename: z.string(), content: z.string() }) },
  /** Replace the calendar from a JSON file's text; an invalid file changes nothing. */
  'calendar.import': { input: z.strictObject({ content: z.string().max(2_000_000) }), output: CalendarViewSchema },
  /** The configuration profile (backends, intervals, calendar, rules) without secrets, for other communes. */
  'profile.export': { input: z.strictObject({}), output: z.object({ filename: z.string(), content: z.string() }) },
  /** Apply a profile: everything validated before anything is written; a foreign or invalid file changes nothing. */
  'profile.import': {
    input: z.strictObject({ content: z.string().max(5_000_000) }),
    output: z.object({
      applied: z.literal(true),
      backends: z.number().int(),
      /** Keyring names the profile refers to that this machine does not have yet. */
      missingSecrets: z.array(z.string()),
      restartRequired: z.boolean(),
    }),
  },
  'health.get': { input: z.strictObject({}), output: z.object({ backends: z.array(BackendHealthSchema), now: z.number() }) },
  /** The newest core log lines (kept in memory since start), filtered; secrets redacted. */
  'logs.tail': {
    input: z.strictObject({
      levels: z.array(z.enum(LOG_LEVELS)).max(3).optional(),
      backend: BackendIdSchema.optional(),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
    output: z.object({ entries: z.array(LogEntrySchema), total: z.number().int() }),
  },
} as const;
