/**
 * edXML (QCVN 102:2016) envelope → DocumentDetail.
 *
 * Safety: the body size is capped, a DOCTYPE is refused outright (edXML never needs a DTD, and
 * without one no custom entity can be declared, so no entity-expansion bomb is possible), entity
 * processing keeps fast-xml-parser's expansion limits as a second line, nesting depth is capped,
 * and well-formedness is checked with XMLValidator before parsing. Attachment bodies are never
 * decoded: their size is computed from the base64 length.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { DocumentDetailSchema, type DocumentDetail, type FileRef } from '../../shared/work-item';
import { AdapterError } from './adapter';
import {
  dateKeyToInstant,
  deadlineToInstant,
  defaultDueDateToInstant,
  parseCalendarDate,
  type DueDateToInstant,
} from './backend-date.util';

export const EDXML_NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
export const EDXML_MAX_BYTES = 20 * 1024 * 1024;

export interface EdxmlParseOptions {
  /** End instant of the DueDate day; default 17:00 +07:00. */
  dueDateToInstant?: DueDateToInstant;
  /** Largest accepted envelope in UTF-8 bytes (default 20 MB). */
  maxBytes?: number;
}

const ARRAY_TAGS = new Set(['To', 'Reference', 'Attachment', 'TraceHeader']);

const XML_NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY = /&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/g;

function codePoint(cp: number, original: string): string {
  const valid = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
  return valid ? String.fromCodePoint(cp) : original;
}

/**
 * Decode the five XML entities and numeric character references (&#7871; &#x1EBF;) in one pass,
 * so "&amp;#7871;" correctly stays "&#7871;". No custom entities exist: a DOCTYPE is refused, so
 * nothing can expand. (Faster than the library's HTML entity table, which edXML does not need.)
 */
export function decodeXmlEntities(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(ENTITY, (match, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
    if (hex !== undefined) return codePoint(parseInt(hex, 16), match);
    if (dec !== undefined) return codePoint(parseInt(dec, 10), match);
    return XML_NAMED[named ?? ''] ?? match;
  });
}

const entityDecoder = {
  setExternalEntities: (): void => undefined,
  addInputEntities: (): void => {
    throw new Error('entity declarations are not allowed');
  },
  reset: (): void => undefined,
  decode: decodeXmlEntities,
  setXmlVersion: (): void => undefined,
};

function makeParser(): XMLParser {
  return new XMLParser({
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreAttributes: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    trimValues: true,
    processEntities: {
      enabled: true,
      maxEntityCount: 0,
      maxEntitySize: 1000,
      maxTotalExpansions: 100_000,
      maxExpandedLength: 5_000_000,
    },
    entityDecoder,
    maxNestedTags: 64,
    isArray: (tagName) => ARRAY_TAGS.has(tagName),
  });
}

/** One parser for the process: XMLParser keeps no state between parse() calls. */
let sharedParser: XMLParser | null = null;
function parser(): XMLParser {
  sharedParser ??= makeParser();
  return sharedParser;
}

// ---------- schema of the parsed tree ----------

const Text = z.string();
const OptText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()));
const Required = z.string().trim().min(1, 'must not be empty');

/** An optional element: absent or empty (`<X/>` parses as "") → undefined. */
const optNode = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const OrganNode = z.looseObject({
  OrganId: Required,
  OrganName: Required,
});

const DigitText = (min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v.trim());
      if (!/^\d+$/.test(v.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer ${min}–${max}, got "${v.slice(0, 20)}"` });
        return z.NEVER;
      }
      return n;
    });

const ResponseForNode = z.looseObject({
  OrganId: OptText,
  Code: z.union([z.string(), z.looseObject({ CodeNumber: OptText, CodeNotation: OptText })]).optional(),
  PromulgationDate: OptText,
  DocumentId: OptText,
});

const MessageHeaderNode = z.looseObject({
  From: OrganNode,
  To: z.array(OrganNode).min(1, 'at least one recipient organ is required'),
  DocumentId: OptText,
  Code: z.looseObject({ CodeNumber: Required, CodeNotation: Required }),
  PromulgationInfo: optNode(z.looseObject({ Place: OptText, PromulgationDate: OptText })),
  DocumentType: optNode(z.looseObject({ Type: OptText, TypeName: OptText })),
  Subject: Required,
  Content: OptText,
  SignerInfo: z.looseObject({ Competence: OptText, Position: OptText, FullName: Required }),
  DueDate: OptText,
  OtherInfo: optNode(
    z.looseObject({
      Priority: DigitText(0, 4, 0),
      PageAmount: z.string().optional(),
    }),
  ),
  ResponseFor: optNode(z.union([ResponseForNode, z.array(ResponseForNode), z.string()])),
  SteeringType: DigitText(0, 2, 0),
});

const ReferenceNode = z.looseObject({
  ContentId: OptText,
  ContentType: OptText,
  Description: OptText,
  AttachmentName: OptText,
});
const AttachmentNode = z.looseObject({
  ContentId: OptText,
  AttachmentName: OptText,
  ContentType: OptText,
  Description: OptText,
  Value: Text.optional(),
});

const EnvelopeNode = z.looseObject({
  edXMLEnvelope: z.looseObject({
    edXMLHeader: z.looseObject({
      MessageHeader: MessageHeaderNode,
    }),
    edXMLManifest: optNode(z.looseObject({ Reference: z.array(ReferenceNode).optional() })),
    AttachmentEncoded: optNode(z.looseObject({ Attachment: z.array(AttachmentNode).optional() })),
  }),
});

// ---------- helpers ----------

/** Decoded size of a base64 text without decoding it (whitespace ignored). */
export function base64DecodedSize(value: string): number {
  let chars = 0;
  let padding = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    chars++;
    padding = c === 0x3d ? padding + 1 : 0;
  }
  return Math.max(0, Math.floor((chars * 3) / 4) - Math.min(padding, 2));
}

/** Refuse a DOCTYPE anywhere in the prolog (before the root element). */
function assertNoDoctype(xml: string): void {
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) return;
      i = end + 2;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return;
      i = end + 3;
    } else {
      if (/^<!DOCTYPE/i.test(xml.slice(i, i + 9))) {
        throw new AdapterError('malformed', 'edXML: DOCTYPE declarations are not allowed', false);
      }
      return;
    }
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 6)
    .map((issue) => {
      const path = issue.path
        .filter((p) => typeof p === 'string')
        .join('.')
        .replace(/^edXMLEnvelope\.edXMLHeader\./, '');
      const msg = /received undefined/.test(issue.message) ? 'missing required field' : issue.message;
      return `${path || '(root)'}: ${msg}`;
    })
    .join('; ');
}

function calendarStart(value: string | null, field: string): number | null {
  if (value === null) return null;
  const parsed = parseCalendarDate(value);
  if (!parsed) throw new AdapterError('malformed', `edXML: ${field} "${value.slice(0, 40)}" is not a date`, false);
  return parsed.instant ?? dateKeyToInstant(parsed.dateKey);
}

type ResponseFor = z.output<typeof ResponseForNode>;

function responseForText(node: ResponseFor | ResponseFor[] | string | undefined): string | null {
  const first = Array.isArray(node) ? node[0] : node;
  if (first === undefined) return null;
  if (typeof first === 'string') return first.trim() || null;
  if (first.DocumentId) return first.DocumentId;
  if (typeof first.Code === 'string') return first.Code.trim() || null;
  if (first.Code && first.Code.CodeNumber) {
    return first.Code.CodeNotation ? `${first.Code.CodeNumber}/${first.Code.CodeNotation}` : first.Code.CodeNumber;
  }
  return null;
}

// ---------- entry point ----------

/**
 * Parse and validate an edXML envelope. Throws AdapterError('malformed') with a clear message for
 * non-well-formed XML, an oversized body, a DOCTYPE, or missing/invalid header fields.
 * `incomingNumber`/`incomingDate` are null: they come from the gateway's listing, not the envelope.
 */
export function parseEdxml(xml: string, options: EdxmlParseOptions = {}): DocumentDetail {
  const maxBytes = options.maxBytes ?? EDXML_MAX_BYTES;
  // Cheap check first (a UTF-16 unit is at least one UTF-8 byte), exact one only when close.
  if (xml.length > maxBytes || (xml.length * 3 > maxBytes && Buffer.byteLength(xml, 'utf8') > maxBytes)) {
    throw new AdapterError('malformed', `edXML: envelope larger than ${maxBytes} bytes`, false);
  }
  if (xml.trim() === '') throw new AdapterError('malformed', 'edXML: empty body', false);
  assertNoDoctype(xml);
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new AdapterError('malformed', `edXML is not well-formed XML: ${msg} (line ${line}, column ${col})`, false);
  }
  let tree: unknown;
  try {
    tree = parser().parse(xml);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AdapterError('malformed', `edXML could not be parsed: ${detail}`, false, { cause: error });
  }
  const parsed = EnvelopeNode.safeParse(tree);
  if (!parsed.success) {
    throw new AdapterError('malformed', `edXML envelope invalid: ${describeIssues(parsed.error)}`, false);
  }
  const envelope = parsed.data.edXMLEnvelope;
  const h = envelope.edXMLHeader.MessageHeader;
  const dueDateToInstant = options.dueDateToInstant ?? defaultDueDateToInstant;

  const promulgationDateText = h.PromulgationInfo?.PromulgationDate ?? null;
  const promulgationDate = calendarStart(promulgationDateText, 'PromulgationDate');
  let dueDate: number | null = null;
  if (h.DueDate !== null) {
    dueDate = deadlineToInstant(h.DueDate, dueDateToInstant);
    if (dueDate === null) throw new AdapterError('malformed', `edXML: DueDate "${h.DueDate.slice(0, 40)}" is not a date`, false);
  }
  const codeNumber = h.Code.CodeNumber;
  const codeNotation = h.Code.CodeNotation;
  let documentId = h.DocumentId;
  if (documentId === null) {
    if (promulgationDateText === null) {
      throw new AdapterError('malformed', 'edXML envelope invalid: DocumentId: missing required field', false);
    }
    documentId = `${h.From.OrganId},${promulgationDateText},${codeNumber}/${codeNotation}`;
  }
  let pageCount: number | null = null;
  const pageText = h.OtherInfo?.PageAmount?.trim();
  if (pageText) {
    if (!/^\d{1,6}$/.test(pageText)) throw new AdapterError('malformed', `edXML: PageAmount "${pageText.slice(0, 20)}" is not a number`, false);
    pageCount = Number(pageText);
  }

  const references = envelope.edXMLManifest?.Reference ?? [];
  const encoded = envelope.AttachmentEncoded?.Attachment ?? [];
  const attachments: FileRef[] = [];
  const used = new Set<number>();
  for (const ref of references) {
    const index = encoded.findIndex(
      (a, i) => !used.has(i) && ((ref.ContentId !== null && a.ContentId === ref.ContentId) || (ref.ContentId === null && a.AttachmentName === ref.AttachmentName)),
    );
    const att = index >= 0 ? encoded[index] : undefined;
    if (index >= 0) used.add(index);
    const name = ref.AttachmentName ?? att?.AttachmentName ?? ref.ContentId ?? 'attachment';
    attachments.push({
      name,
      mimeType: ref.ContentType ?? att?.ContentType ?? null,
      size: att?.Value !== undefined ? base64DecodedSize(att.Value) : null,
      description: ref.Description ?? att?.Description ?? null,
    });
  }
  encoded.forEach((att, i) => {
    if (used.has(i)) return;
    attachments.push({
      name: att.AttachmentName ?? att.ContentId ?? 'attachment',
      mimeType: att.ContentType,
      size: att.Value !== undefined ? base64DecodedSize(att.Value) : null,
      description: att.Description,
    });
  });

  const detail: DocumentDetail = {
    source: 'document',
    documentId,
    from: { id: h.From.OrganId, name: h.From.OrganName },
    to: h.To.map((o) => ({ id: o.OrganId, name: o.OrganName })),
    codeNumber,
    codeNotation,
    promulgationPlace: h.PromulgationInfo?.Place ?? null,
    promulgationDate,
    documentTypeCode: h.DocumentType?.Type ?? null,
    documentTypeName: h.DocumentType?.TypeName ?? null,
    subject: h.Subject,
    content: h.Content,
    signer: {
      competence: h.SignerInfo.Competence,
      position: h.SignerInfo.Position,
      fullName: h.SignerInfo.FullName,
    },
    dueDate,
    priority: h.OtherInfo?.Priority ?? 0,
    steeringType: h.SteeringType,
    pageCount,
    responseFor: responseForText(h.ResponseFor),
    attachments,
    incomingNumber: null,
    incomingDate: null,
  };
  // Final guard: what leaves the parser is exactly the shared contract's shape.
  const checked = DocumentDetailSchema.safeParse(detail);
  if (!checked.success) {
    throw new AdapterError('malformed', `edXML envelope invalid: ${describeIssues(checked.error)}`, false);
  }
  return checked.data;
}
