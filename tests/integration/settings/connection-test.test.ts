/**
 * Test connection (issue #5 point 11): each failure class against real local servers — an unknown
 * host (.invalid), a closed port, a self-signed and an expired certificate (made with openssl, served
 * by node:https), a private CA given in the settings (accepted: the whole walk passes through TLS to
 * the real sandbox API), wrong passwords (the training sandbox over HTTP, Dovecot over IMAP) and
 * servers that are not the API or speak another version of it.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult } from '../../../src/shared/settings';
import { connectionTarget, runConnectionTest } from '../../../src/core/settings/connection-test.service';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { startMailServers, type MailServers } from '../../support/mail-servers';
import { makeTlsFixtures, startHttpsServer, type TlsFixtures } from './tls-fixtures';
import { freePort as closedPort } from '../../support/ports';

const TIMEOUT = 5000;

function test(adapter: Record<string, unknown>): Promise<ConnectionTestResult> {
  return runConnectionTest(connectionTarget(adapter, TIMEOUT), TIMEOUT);
}

function procedure(baseUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'procedure', id: 'dvc', label: 'Một cửa điện tử', baseUrl, username: 'canbo.lan', password: 'training', ...extra };
}

function step(result: ConnectionTestResult, id: string): ConnectionTestResult['steps'][number] {
  const found = result.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
}


async function httpServer(handler: Parameters<typeof createHttpServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createHttpServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

let tls: TlsFixtures;
let sandbox: TrainingSandbox;
let mail: MailServers;
const servers: Server[] = [];

beforeAll(async () => {
  tls = makeTlsFixtures();
  sandbox = await TrainingSandbox.start({ seed: 3, days: 3, streamIntervalMs: 0, mail: false });
  mail = await startMailServers({ users: [{ user: 'lan', password: 'Mật-khẩu-đúng-1' }], tls: true });
}, 60_000);

afterAll(async () => {
  for (const s of servers) s.close();
  await sandbox?.stop();
  await mail?.stop();
  tls?.cleanup();
});

describe('test connection, step by step against real servers', () => {
  it('unknown host: fails at DNS and says the name was not found', async () => {
    const result = await test(procedure('https://mot-cua.khong-ton-tai.invalid'));
    expect(result.ok).toBe(false);
    expect(result.failedStep).toBe('dns');
    expect(step(result, 'dns').message).toContain('Không tìm thấy máy chủ "mot-cua.khong-ton-tai.invalid"');
    expect(step(result, 'dns').advice).toMatch(/Kiểm tra lại địa chỉ/);
    expect(result.steps.slice(1).every((s) => s.status === 'skipped')).toBe(true);
  });

  it('refused port: DNS passes, TCP fails with the port named', async () => {
    const port = await closedPort();
    const result = await test(procedure(`http://127.0.0.1:${port}`));
    expect(result.failedStep).toBe('tcp');
    expect(step(result, 'dns').status).toBe('ok');
    expect(step(result, 'tcp').message).toContain(`từ chối kết nối ở cổng ${port}`);
    expect(step(result, 'tcp').technical).toBe('ECONNREFUSED');
  });

  it('self-signed certificate: fails at TLS and advises the custom CA, never turning verification off', async () => {
    const https = await startHttpsServer(tls.selfSigned);
    servers.push(https.server);
    const result = await test(procedure(https.url));
    expect(result.failedStep).toBe('tls');
    expect(step(result, 'tcp').status).toBe('ok');
    expect(step(result, 'tls').technical).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(step(result, 'tls').message).toContain('chứng chỉ tự ký');
    expect(step(result, 'tls').advice).toContain('Chứng chỉ CA riêng');
    expect(step(result, 'auth').status).toBe('skipped');
  });

  it('expired certificate (signed by a trusted CA): fails at TLS as expired', async () => {
    const https = await startHttpsServer(tls.expired);
    servers.push(https.server);
    const result = await test(procedure(https.url, { ca: tls.caPem }));
    expect(result.failedStep).toBe('tls');
    expect(step(result, 'tls').technical).toBe('CERT_HAS_EXPIRED');
    expect(step(result, 'tls').message).toContain('đã hết hạn');
  });

  it('private CA: refused without it, accepted with its PEM — the whole walk passes through TLS to the sandbox API', async () => {
    const https = await startHttpsServer(tls.leaf, sandbox.procedureUrl);
    servers.push(https.server);
    const without = await test(procedure(https.url));
    expect(without.failedStep).toBe('tls');
    expect(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']).toContain(step(without, 'tls').technical);

    const result = await test(procedure(https.url, { ca: tls.caPem }));
    expect(result.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['dns:ok', 'tcp:ok', 'tls:ok', 'auth:ok', 'api:ok', 'sample:ok']);
    expect(result.ok).toBe(true);
    const chain = step(result, 'tls').chain ?? [];
    expect(chain[0]?.subject).toContain('CN=127.0.0.1');
    expect(chain[0]?.issuer).toContain('CN=CA thu nghiem UBND');
    expect(step(result, 'sample').message).toMatch(/Lấy thử được \d+ hồ sơ/);
  });

  it('wrong password on the procedure system (sandbox over HTTP): fails at sign-in', async () => {
    const result = await test(procedure(sandbox.procedureUrl, { password: 'sai-mat-khau' }));
    expect(result.failedStep).toBe('auth');
    expect(step(result, 'tls').status).toBe('skipped');
    expect(step(result, 'auth').message).toContain('sai tên đăng nhập hoặc mật khẩu');
    expect(JSON.stringify(result)).not.toContain('sai-mat-khau');
  });

  it('wrong client secret on the document gateway (sandbox over HTTP): fails at sign-in; right one passes', async () => {
    const base = { kind: 'document', id: 'qlvb', label: 'Quản lý văn bản', baseUrl: sandbox.documentUrl, clientId: 'workstation' };
    const wrong = await test({ ...base, clientSecret: 'khong-dung' });
    expect(wrong.failedStep).toBe('auth');
    expect(step(wrong, 'auth').message).toContain('client secret');
    const right = await test({ ...base, clientSecret: 'training' });
    expect(right.ok).toBe(true);
    expect(step(right, 'sample').message).toMatch(/Lấy thử được \d+ văn bản/);
  });

  it('wrong mail password against Dovecot: fails at sign-in; right one over IMAPS with the CA passes', async () => {
    const base = { kind: 'mail', id: 'thu', label: 'Thư công vụ', user: 'lan', folders: ['INBOX'] };
    const wrong = await test({ ...base, host: mail.imap.host, port: mail.imap.port, tls: 'none', password: 'sai' });
    expect(wrong.failedStep).toBe('auth');
    expect(step(wrong, 'auth').message).toContain('sai tài khoản hoặc mật khẩu thư');
    const imaps = mail.imaps;
    if (!imaps || !mail.caPem) throw new Error('Dovecot started without TLS');
    const smtp = { host: mail.smtp.host, port: mail.smtp.port, tls: 'starttls' };
    const right = await test({ ...base, host: imaps.host, port: imaps.port, tls: 'implicit', password: 'Mật-khẩu-đúng-1', ca: mail.caPem, address: 'lan@example.test', smtp });
    expect(right.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['dns:ok', 'tcp:ok', 'tls:ok', 'auth:ok', 'api:ok', 'sample:ok']);
    expect(step(right, 'auth').message).toContain('máy chủ gửi thư');
    expect(step(right, 'tls').chain?.length).toBeGreaterThan(0);
    // IMAP accepts, Postfix (SMTP AUTH through Dovecot) refuses a wrong sending password.
    const wrongSmtp = await test({
      ...base, host: imaps.host, port: imaps.port, tls: 'implicit', password: 'Mật-khẩu-đúng-1', ca: mail.caPem, address: 'lan@example.test',
      smtp: { ...smtp, password: 'sai-mat-khau-smtp' },
    });
    expect(wrongSmtp.failedStep).toBe('auth');
    expect(step(wrongSmtp, 'auth').message).toContain('Máy chủ gửi thư (SMTP)');
    expect(step(wrongSmtp, 'auth').technical).toMatch(/^EAUTH/);
  });

  it('wrong API: a web server that is not the procedure system fails at the API step', async () => {
    const web = await httpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<html><body>Cổng thông tin điện tử phường</body></html>');
    });
    servers.push(web.server);
    const result = await test(procedure(web.url));
    expect(result.failedStep).toBe('api');
    expect(step(result, 'auth').status).toBe('skipped');
    expect(step(result, 'api').message).toContain('không phải Hệ thống Một cửa điện tử');
    expect(step(result, 'api').message).toContain('text/html');
  });

  it('wrong API version: the login works but the catalogue has another shape', async () => {
    const other = await httpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url === '/api/DangNhap') res.end(JSON.stringify({ error_code: '0', message: 'OK', session: 'abc' }));
      else res.end(JSON.stringify({ error_code: '0', message: 'OK', data: { version: 2, thuTuc: 'khác' } }));
    });
    servers.push(other.server);
    const result = await test(procedure(other.url));
    expect(step(result, 'auth').status).toBe('ok');
    expect(result.failedStep).toBe('api');
    expect(step(result, 'api').message).toContain('phiên bản API không khớp');
  });
});
