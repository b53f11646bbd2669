/**
 * Messages between the Electron shell (or any parent process) and the core process.
 * The parent forwards renderer calls; the core answers with the contract's envelope and streams events.
 */
import { z } from 'zod';

export const ParentToCoreSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int(), method: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('shutdown') }),
]);
export type ParentToCore = z.infer<typeof ParentToCoreSchema>;

export const CoreToParentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('result'), id: z.number().int(), envelope: z.unknown() }),
  z.object({ type: z.literal('event'), event: z.unknown() }),
  z.object({ type: z.literal('fatal'), message: z.string() }),
]);
export type CoreToParent = z.infer<typeof CoreToParentSchema>;

/** What the sandbox process reports once its servers listen. */
export const SandboxReadySchema = z.object({
  type: z.literal('sandbox-ready'),
  procedureUrl: z.string().url(),
  documentUrl: z.string().url(),
});
export type SandboxReady = z.infer<typeof SandboxReadySchema>;
