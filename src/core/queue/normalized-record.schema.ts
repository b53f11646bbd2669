/**
 * Runtime check of what adapters hand to the cache. Adapters are our own code, but their input is
 * not: a record that fails here is quarantined with the reason instead of poisoning the queue.
 */
import { z } from 'zod';
import { SourceSchema, UrgencySchema } from '../../shared/domain';
import { ItemDetailSchema } from '../../shared/work-item';
import type { NormalizedRecord } from '../adapters/adapter';

const EpochMs = z.number().int().min(0).max(8_640_000_000_000_000);

export const NormalizedRecordSchema = z
  .object({
    source: SourceSchema,
    externalId: z.string().min(1).max(200),
    ref: z.string().max(500),
    title: z.string().max(5000),
    party: z.string().max(1000).nullable(),
    kind: z.string().max(1000).nullable(),
    // Procedure '1'–'10', document '01'–'06', mail 'unseen' | 'seen' | 'deleted'.
    status: z.string().min(1).max(16),
    receivedAt: EpochMs,
    dueAt: EpochMs.nullable(),
    urgency: UrgencySchema,
    assignee: z.string().max(200).nullable(),
    assigneeName: z.string().max(500).nullable(),
    updatedAt: EpochMs,
    searchText: z.string().max(20_000),
    detail: ItemDetailSchema,
    searchDeferred: z.boolean().optional(),
  })
  .refine((r) => r.detail.source === r.source, { message: 'detail.source differs from source', path: ['detail', 'source'] });

/** Compile-time check that the schema and the adapter interface agree. */
export type NormalizedRecordChecked = z.infer<typeof NormalizedRecordSchema>;
const _sameShape: (r: NormalizedRecord) => NormalizedRecordChecked = (r) => r;
void _sameShape;

export function describeRecordIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(record)'}: ${i.message}`)
    .join('; ');
}
