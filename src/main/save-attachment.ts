/**
 * `mail.saveAttachment` in the Electron shell (no electron import here, so it is tested under Node):
 * the renderer's call is not forwarded to the core. The shell asks the core for the attachment's name
 * (`mail.body`), shows the system save dialog with that name made safe, and, unless the official
 * cancels, has the core write the file to the chosen path (core-channel message `saveAttachment`,
 * src/shared/core-channel.ts). The renderer never sees a file system path it did not choose.
 */
import { isAbsolute } from 'node:path';
import { apiContract, EnvelopeSchema, MailBodyViewSchema, type Envelope } from '../shared/api';
import { safeAttachmentName } from '../shared/mail-html';

export interface SaveAttachmentShell {
  /** An ordinary contract call to the core (answers an envelope). */
  callCore(method: string, input: unknown): Promise<unknown>;
  /** The core-channel `saveAttachment {id, itemId, index, path}` message; answers an envelope. */
  writeAttachment(itemId: string, index: number, path: string): Promise<unknown>;
  /** The system save dialog, starting from this file name. */
  showSaveDialog(defaultName: string): Promise<{ canceled: boolean; filePath?: string | undefined }>;
}

export type SaveAttachmentOutput = { saved: boolean; path: string | null };

function failure(code: 'invalid_input' | 'internal' | 'not_found', message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

/** Pass a core error envelope through, or describe a malformed answer. */
function asFailure(raw: unknown, what: string): Envelope<never> {
  const parsed = EnvelopeSchema.safeParse(raw);
  if (parsed.success && !parsed.data.ok) return { ok: false, error: parsed.data.error };
  return failure('internal', `Malformed answer from the core for ${what}`);
}

export async function saveAttachmentViaShell(input: unknown, shell: SaveAttachmentShell): Promise<Envelope<SaveAttachmentOutput>> {
  const request = apiContract['mail.saveAttachment'].input.safeParse(input);
  if (!request.success) return failure('invalid_input', 'mail.saveAttachment: itemId and index expected');
  const { itemId, index } = request.data;

  const rawBody = await shell.callCore('mail.body', { itemId });
  const envelope = EnvelopeSchema.safeParse(rawBody);
  if (!envelope.success || !envelope.data.ok) return asFailure(rawBody, 'mail.body');
  const body = MailBodyViewSchema.safeParse(envelope.data.data);
  if (!body.success) return failure('internal', 'Malformed mail body from the core');
  const attachment = body.data.attachments.find((a) => a.index === index);
  if (!attachment) return failure('not_found', `Thư không có tệp đính kèm số ${index}.`);

  const choice = await shell.showSaveDialog(safeAttachmentName(attachment.filename));
  if (choice.canceled || !choice.filePath) return { ok: true, data: { saved: false, path: null } };
  if (!isAbsolute(choice.filePath)) return failure('invalid_input', 'The save dialog returned a relative path');

  const written = await shell.writeAttachment(itemId, index, choice.filePath);
  const result = EnvelopeSchema.safeParse(written);
  if (!result.success || !result.data.ok) return asFailure(written, 'saveAttachment');
  return { ok: true, data: { saved: true, path: choice.filePath } };
}
