/**
 * Checking what the official types when linking a mail by hand: a dossier code
 * (`000.26.13.H26-251003-0012`, with a real date), a document's số/ký hiệu (`7816/VPCP-TTĐT`,
 * `25/2026/QĐ-UBND`) or a citizen's ID number (12-digit CCCD or 9-digit CMND). The rule is the
 * core's own (src/shared/link-values.ts, the same normalisation as the extractor), so what the form
 * accepts is exactly what `links.add` stores; here it only gets an i18n key for the message. Pure.
 */
import type { LINK_KINDS } from '../../shared/api';
import { normalizeLinkValue } from '../../shared/link-values';

export type LinkKind = (typeof LINK_KINDS)[number];

export type LinkValueCheck = { ok: true; value: string } | { ok: false; error: string };

/** A dossier code whose only fault is an impossible date (`…-250230-…`): say so. */
const DOSSIER_SHAPE_RE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}\s*-\s*\d{6}\s*-\s*\d{4}$/i;

export function checkLinkValue(kind: LinkKind, raw: string, now: number = Date.now()): LinkValueCheck {
  const v = raw.normalize('NFC').trim();
  if (v === '') return { ok: false, error: 'links.errors.required' };
  if (v.length > 100) return { ok: false, error: 'links.errors.tooLong' };
  const result = normalizeLinkValue(kind, v, now);
  if (result.ok) return { ok: true, value: result.value };
  if (kind === 'dossier' && DOSSIER_SHAPE_RE.test(v)) return { ok: false, error: 'links.errors.dossierDate' };
  return { ok: false, error: `links.errors.${kind}` };
}
