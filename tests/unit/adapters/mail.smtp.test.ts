/**
 * The pure parts of sending mail (src/core/adapters/mail.smtp.ts): how a failed SMTP session is read
 * (sent / not sent / uncertain), the checkpoint gate's ordering, Message-IDs, References and the
 * attachment parts of a forward. The real servers are in tests/integration/mail/mail.send.test.ts.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  attachmentParts,
  classifySmtpFailure,
  GatedMessage,
  LazyReadable,
  messageIdOfExternalId,
  outboxMessageId,
  parseHeaderBlock,
  replyReferences,
  smtpConnectionOptions,
  SmtpSendFailure,
  type SendingAccount,
  type SmtpEndpoint,
} from '../../../src/core/adapters/mail.smtp';

const SMTP: SmtpEndpoint = { host: 'smtp.ngocha.gov.vn', port: 587, tls: 'starttls', user: 'lan', password: 'x', timeoutMs: 5000 };
const ACCOUNT: SendingAccount = { label: 'Thư công vụ', address: 'lan@ngocha.gov.vn', displayName: 'Nguyễn Thị Lan', smtp: SMTP, sentFolder: null };

function verdict(error: Record<string, unknown>, endPassed = false): ReturnType<typeof classifySmtpFailure> {
  return classifySmtpFailure(new SmtpSendFailure(error, endPassed), ACCOUNT);
}

describe('classifying a failed SMTP session', () => {
  it('before the end of the message left: never sent; refused connection and time-outs wait, a wrong password needs the official', () => {
    const refused = verdict({ code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN', message: 'connect ECONNREFUSED' });
    expect(refused).toMatchObject({ kind: 'not_sent', error: { code: 'unreachable', retryable: true } });
    expect(verdict({ code: 'ETIMEDOUT', command: 'CONN', message: 'Timeout' })).toMatchObject({ kind: 'not_sent', error: { code: 'timeout', retryable: true } });
    const auth = verdict({ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535, response: '535 5.7.8 Error: authentication failed' });
    expect(auth).toMatchObject({ kind: 'not_sent', error: { code: 'auth_failed', retryable: false } });
    if (auth.kind !== 'not_sent') throw new Error('unreachable');
    expect(auth.error.message).toContain('"Thư công vụ" (lan@ngocha.gov.vn, tài khoản SMTP "lan")');
    expect(auth.error.message).toContain('sai tên đăng nhập hoặc mật khẩu');
    expect(auth.error.message).toContain('535 5.7.8 Error: authentication failed');
    expect(verdict({ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 454, response: '454 4.7.0 Temporary authentication failure' })).toMatchObject({
      kind: 'not_sent',
      error: { code: 'server_error', retryable: true },
    });
    // The connection dropped while the message was being written (before its end): not delivered.
    expect(verdict({ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' })).toMatchObject({
      kind: 'not_sent',
      error: { code: 'unreachable', retryable: true },
    });
  });

  it('refusals with the server text: recipients, sender, the message; 4xx is retried', () => {
    const rcpt = verdict({
      code: 'EENVELOPE',
      command: 'RCPT TO',
      responseCode: 550,
      response: '550 5.1.1 <x@ngocha.gov.vn>: Recipient address rejected: User unknown',
      rejectedErrors: [{ recipient: 'x@ngocha.gov.vn', response: '550 5.1.1 <x@ngocha.gov.vn>: Recipient address rejected: User unknown' }],
    });
    expect(rcpt).toEqual({
      kind: 'refused',
      message: 'Máy chủ gửi thư từ chối người nhận, thư chưa được gửi cho ai: x@ngocha.gov.vn: "550 5.1.1 <x@ngocha.gov.vn>: Recipient address rejected: User unknown". Hãy sửa địa chỉ rồi gửi lại.',
    });
    expect(verdict({ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 553, response: '553 sender not owned' })).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('từ chối địa chỉ người gửi lan@ngocha.gov.vn'),
    });
    expect(verdict({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 451, response: '451 4.3.0 try later' })).toMatchObject({
      kind: 'not_sent',
      error: { code: 'server_error', retryable: true },
    });
  });

  it('after the end of the message: a 4xx/5xx answer is definite, no answer is uncertain', () => {
    expect(verdict({ code: 'EMESSAGE', command: 'DATA', responseCode: 554, response: '554 5.7.1 spam' }, true)).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('554 5.7.1 spam'),
    });
    expect(verdict({ code: 'EMESSAGE', command: 'DATA', responseCode: 452, response: '452 4.3.1 full' }, true)).toMatchObject({ kind: 'not_sent' });
    expect(verdict({ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }, true)).toEqual({ kind: 'uncertain' });
    expect(verdict({ code: 'ETIMEDOUT', command: 'CONN' }, true)).toEqual({ kind: 'uncertain' });
    expect(verdict({ code: 'EABORT', command: 'API' }, true)).toEqual({ kind: 'uncertain' });
  });

  it('TLS: an untrusted certificate or a server without STARTTLS is never worked around', () => {
    expect(verdict({ code: 'ETLS', command: 'STARTTLS', message: 'Error initiating TLS - self-signed certificate' })).toMatchObject({
      kind: 'not_sent',
      error: { code: 'unreachable', retryable: false, message: expect.stringContaining('cấu hình "ca"') },
    });
    // requireTLS: nodemailer asks STARTTLS even when it is not offered; the server's 502 ends it.
    const noStarttls = {
      code: 'ETLS',
      command: 'STARTTLS',
      responseCode: 502,
      response: '502 5.5.1 Error: command not implemented',
      message: 'Error upgrading connection with STARTTLS: 502 5.5.1 Error: command not implemented',
    };
    expect(verdict(noStarttls)).toMatchObject({
      kind: 'not_sent',
      error: { code: 'config_invalid', retryable: false },
    });
    const options = smtpConnectionOptions({ ...SMTP, ca: 'PEM' });
    expect(options).toMatchObject({ secure: false, requireTLS: true, ignoreTLS: false, tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2', ca: 'PEM' } });
    expect(smtpConnectionOptions({ ...SMTP, tls: 'implicit' })).toMatchObject({ secure: true, requireTLS: false });
    expect(smtpConnectionOptions({ ...SMTP, tls: 'none', host: '127.0.0.1' })).toMatchObject({ secure: false, ignoreTLS: true, tls: { rejectUnauthorized: true } });
  });
});

describe('the checkpoint gate', () => {
  it('opens the message only when read, and writes the checkpoint before the end goes through', async () => {
    const order: string[] = [];
    let opened = false;
    const gate = new GatedMessage(
      () => {
        opened = true;
        return Readable.from([Buffer.from('Subject: x\r\n\r\n'), Buffer.from('body')]);
      },
      () => order.push('checkpoint'),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(opened).toBe(false);
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        order.push(`data:${chunk.length}`);
        cb();
      },
      final(cb) {
        order.push('end');
        cb();
      },
    });
    await new Promise<void>((resolve, reject) => {
      sink.once('finish', resolve);
      gate.once('error', reject);
      gate.pipe(sink);
    });
    expect(order).toEqual(['data:14', 'data:4', 'checkpoint', 'end']);
    expect(gate.endPassed).toBe(true);
  });

  it('a checkpoint that cannot be written stops the message before its end', async () => {
    const gate = new GatedMessage(
      () => Readable.from([Buffer.from('abc')]),
      () => {
        throw new Error('database closed');
      },
    );
    let ended = false;
    const sink = new PassThrough();
    sink.on('end', () => (ended = true));
    sink.resume();
    const error = await new Promise<Error>((resolve) => {
      gate.once('error', resolve);
      gate.pipe(sink);
    });
    expect(error.message).toBe('database closed');
    expect(gate.endPassed).toBe(false);
    expect(ended).toBe(false);
  });

  it('a lazy attachment is opened on first read only and its source is closed when abandoned', async () => {
    let opens = 0;
    const source = new PassThrough();
    const lazy = new LazyReadable(async () => {
      opens += 1;
      return source;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(opens).toBe(0);
    lazy.resume();
    await new Promise((r) => setTimeout(r, 10));
    expect(opens).toBe(1);
    lazy.destroy();
    await new Promise((r) => setTimeout(r, 10));
    expect(source.destroyed).toBe(true);
  });
});

describe('message identity and threading', () => {
  it('Message-ID: the outbox key at the domain of the address', () => {
    expect(outboxMessageId('1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', 'Lan@NgocHa.Gov.VN')).toBe('1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed@ngocha.gov.vn');
    expect(outboxMessageId('k~1', 'no-domain')).toBe('k~1@localhost');
  });

  it('References: the original References (else In-Reply-To) + its Message-ID, bounded to 20', () => {
    const headers = parseHeaderBlock('Message-ID: <goc@a.vn>\r\nReferences: <r1@a.vn>\r\n <r2@a.vn>\r\nIn-Reply-To: <r2@a.vn>\r\n\r\n');
    expect(headers.get('references')).toBe('<r1@a.vn> <r2@a.vn>');
    expect(replyReferences({ messageId: 'goc@a.vn', references: ['<r1@a.vn>', '<r2@a.vn>'] })).toEqual(['<r1@a.vn>', '<r2@a.vn>', '<goc@a.vn>']);
    expect(replyReferences({ messageId: null, references: [] })).toEqual([]);
    const long = Array.from({ length: 30 }, (_, i) => `<r${i}@a.vn>`);
    const bounded = replyReferences({ messageId: 'goc@a.vn', references: long });
    expect(bounded).toHaveLength(20);
    expect(bounded[0]).toBe('<r0@a.vn>');
    expect(bounded.at(-1)).toBe('<goc@a.vn>');
    expect(messageIdOfExternalId('INBOX:goc@a.vn', ['INBOX'])).toBe('goc@a.vn');
    expect(messageIdOfExternalId('INBOX:nomid:abc', ['INBOX'])).toBeNull();
    expect(messageIdOfExternalId('Lưu trữ/2025:x@y', ['INBOX', 'Lưu trữ/2025'])).toBe('x@y');
  });

  it('attachment parts of a forward: the same files the cached list shows, with part numbers and charsets', () => {
    const parts = attachmentParts({
      type: 'multipart/mixed',
      childNodes: [
        { part: '1', type: 'multipart/alternative', childNodes: [{ part: '1.1', type: 'text/plain' }, { part: '1.2', type: 'text/html' }] },
        { part: '2', type: 'application/pdf', disposition: 'attachment', dispositionParameters: { filename: 'Công văn 12.pdf' } },
        { part: '3', type: 'text/plain', disposition: 'attachment', parameters: { charset: 'windows-1258', name: 'ghi chú.txt' } },
        { part: '4', type: 'image/png', parameters: { name: 'logo.png' } },
      ],
    });
    expect(parts).toEqual([
      { part: '2', filename: 'Công văn 12.pdf', contentType: 'application/pdf' },
      { part: '3', filename: 'ghi chú.txt', contentType: 'text/plain; charset=windows-1258' },
      { part: '4', filename: 'logo.png', contentType: 'image/png' },
    ]);
  });
});
