import { describe, expect, it } from 'vitest';
import { saveAttachmentViaShell, type SaveAttachmentShell } from '../../../src/main/save-attachment';

const BODY = {
  text: 'x',
  html: null,
  attachments: [{ index: 1, filename: '../Báo cáo: quý III.pdf', contentType: 'application/pdf', size: 10, inline: false, contentId: null }],
  inlineImages: {},
  fromCache: true,
};

function shell(patch: Partial<SaveAttachmentShell> = {}) {
  const log: string[] = [];
  const s: SaveAttachmentShell = {
    callCore: async (method, input) => {
      log.push(`call ${method} ${JSON.stringify(input)}`);
      return { ok: true, data: BODY };
    },
    writeAttachment: async (itemId, index, path) => {
      log.push(`write ${itemId} ${index} ${path}`);
      return { ok: true, data: { saved: true, path, size: 10 } };
    },
    showSaveDialog: async (name) => {
      log.push(`dialog ${name}`);
      return { canceled: false, filePath: `/home/lan/Downloads/${name}` };
    },
    ...patch,
  };
  return { s, log };
}

describe('saving an attachment in the Electron shell', () => {
  it('asks the core for the name, shows the dialog with it made safe, has the core write the file', async () => {
    const { s, log } = shell();
    await expect(saveAttachmentViaShell({ itemId: 'mail:1', index: 1 }, s)).resolves.toEqual({ ok: true, data: { saved: true, path: '/home/lan/Downloads/Báo cáo_ quý III.pdf' } });
    expect(log).toEqual(['call mail.body {"itemId":"mail:1"}', 'dialog Báo cáo_ quý III.pdf', 'write mail:1 1 /home/lan/Downloads/Báo cáo_ quý III.pdf']);
  });
  it('a cancelled dialog saves nothing and does not reach the core', async () => {
    const { s, log } = shell({ showSaveDialog: async () => ({ canceled: true }) });
    await expect(saveAttachmentViaShell({ itemId: 'mail:1', index: 1 }, s)).resolves.toEqual({ ok: true, data: { saved: false, path: null } });
    expect(log.some((l) => l.startsWith('write'))).toBe(false);
  });
  it('refuses bad input, unknown attachments and relative paths; passes core errors through', async () => {
    expect((await saveAttachmentViaShell({ itemId: 'mail:1' }, shell().s)).ok).toBe(false);
    expect(await saveAttachmentViaShell({ itemId: 'mail:1', index: 9 }, shell().s)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await saveAttachmentViaShell({ itemId: 'mail:1', index: 1 }, shell({ showSaveDialog: async () => ({ canceled: false, filePath: 'x.pdf' }) }).s)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const offline = shell({ callCore: async () => ({ ok: false, error: { code: 'unavailable', message: 'Máy chủ thư mất kết nối' } }) });
    expect(await saveAttachmentViaShell({ itemId: 'mail:1', index: 1 }, offline.s)).toEqual({ ok: false, error: { code: 'unavailable', message: 'Máy chủ thư mất kết nối' } });
    const diskFull = shell({ writeAttachment: async () => ({ ok: false, error: { code: 'unavailable', message: 'ENOSPC' } }) });
    expect(await saveAttachmentViaShell({ itemId: 'mail:1', index: 1 }, diskFull.s)).toEqual({ ok: false, error: { code: 'unavailable', message: 'ENOSPC' } });
    expect(await saveAttachmentViaShell({ itemId: 'mail:1', index: 1 }, shell({ callCore: async () => 'garbage' }).s)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
