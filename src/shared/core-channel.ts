/**
 * Messages between the Electron shell (or any parent process) and the core process.
 * The parent forwards renderer calls; the core answers with the contract's envelope and streams events.
 *
 * Saving a mail attachment (Electron): the renderer calls `mail.saveAttachment {itemId, index}`; the
 * shell does not forward that call. It shows a save dialog (the default file name is the attachment's
 * `filename` from `mail.body`, which the shell can ask through an ordinary `call`), then sends
 * `saveAttachment {id, itemId, index, path}` with the chosen absolute path. The core streams the
 * attachment (from its disk cache, or from the server first) into a temp file beside `path`, renames
 * it over `path` when complete, and answers `result {id, envelope}` in the same id space as `call`:
 * `{ok: true, data: {saved: true, path, size}}` or `{ok: false, error}` (not_found, invalid_input,
 * unavailable with a Vietnamese reason). The shell answers the renderer `{saved: true, path}`, or
 * `{saved: false, path: null}` when the official cancelled the dialog (then nothing reaches the core).
 *
 * Secrets (Electron): with CW_SECRETS=parent the core asks the shell for backend passwords with
 * `secret {id, op, name, value?}`; the shell answers `secret-result {id, ok, value, deleted?, error?}`
 * from its safeStorage (src/main/safe-storage.secrets.ts).
 */
import { z } from 'zod';

export const ParentToCoreSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int(), method: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('shutdown') }),
  /** Write a mail attachment to `path` (absolute, from the shell's save dialog); answered by `result`. */
  z.object({
    type: z.literal('saveAttachment'),
    id: z.number().int(),
    itemId: z.string().min(1).max(300),
    index: z.number().int().min(0).max(1000),
    path: z.string().min(1).max(4096),
  }),
  /** The shell's answer to a `secret` request (safeStorage). */
  z.object({
    type: z.literal('secret-result'),
    id: z.number().int(),
    ok: z.boolean(),
    value: z.string().nullable(),
    deleted: z.boolean().optional(),
    error: z.string().optional(),
  }),
]);
export type ParentToCore = z.infer<typeof ParentToCoreSchema>;

export const CoreToParentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('result'), id: z.number().int(), envelope: z.unknown() }),
  z.object({ type: z.literal('event'), event: z.unknown() }),
  z.object({ type: z.literal('fatal'), message: z.string() }),
  /**
   * Read/write/delete a backend secret in the shell's safeStorage (Electron: the core process has
   * none). Answered by `secret-result` with the same id. Names follow src/core/secrets/secret-store.ts.
   */
  z.object({
    type: z.literal('secret'),
    id: z.number().int(),
    op: z.enum(['get', 'set', 'delete']),
    name: z.string().min(1).max(200),
    value: z.string().max(10_000).optional(),
  }),
]);
export type CoreToParent = z.infer<typeof CoreToParentSchema>;

const PortSchema = z.number().int().min(1).max(65_535);

/**
 * Where the training sandbox listens on 127.0.0.1: the two HTTP backends and, when it serves its
 * mailbox, IMAP and SMTP ports. The shell hands this to the core (CW_TRAINING_URLS).
 */
export const TrainingEndpointsSchema = z.object({
  procedureUrl: z.string().url(),
  documentUrl: z.string().url(),
  imapPort: PortSchema.optional(),
  smtpPort: PortSchema.optional(),
});
export type TrainingEndpoints = z.infer<typeof TrainingEndpointsSchema>;

/** What the sandbox process reports once its servers listen. */
export const SandboxReadySchema = TrainingEndpointsSchema.extend({
  type: z.literal('sandbox-ready'),
  imapPort: PortSchema,
  smtpPort: PortSchema,
});
export type SandboxReady = z.infer<typeof SandboxReadySchema>;
