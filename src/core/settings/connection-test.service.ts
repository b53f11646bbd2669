/**
 * "Kiểm tra kết nối" (issue #5 point 6): walks DNS → TCP → TLS → sign-in → API → sample fetch for one
 * backend config (secrets already resolved) and says, in plain Vietnamese, which step failed and what
 * to do. Every step runs against the real server; nothing is simulated.
 *
 * TLS is verified exactly as the adapters verify it (rejectUnauthorized: true; a configured `ca`
 * replaces the trust store as in HttpClient/ImapFlow): the step's verdict is the real handshake's.
 * Verification is never switched off; on success the step lists the chain the server presented.
 * Messages and technical details never carry a secret (only error codes, hosts and ports).
 */
import { lookup } from 'node:dns/promises';
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { ImapFlow } from 'imapflow';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { z } from 'zod';
import type { Source } from '../../shared/domain';
import type { CertificateInfo, ConnectionStep, ConnectionStepId, ConnectionTestResult } from '../../shared/settings';
import { CONNECTION_STEPS } from '../../shared/settings';
import { AdapterError } from '../adapters/adapter';
import { bypassesProxy } from '../adapters/adapter.util';
import { DocumentAdapter, DocumentAdapterConfigSchema } from '../adapters/document.adapter';
import { HttpClient, type HttpResponse } from '../adapters/http-client';
import { imapClientOptions, MailAdapterConfigSchema } from '../adapters/mail.adapter';
import { smtpConnectionOptions, type SmtpEndpoint } from '../adapters/mail.smtp';
import { ProcedureAdapter, ProcedureAdapterConfigSchema } from '../adapters/procedure.adapter';

const SKIPPED_AFTER_FAILURE = 'Bỏ qua vì bước trước chưa thành công.';

/** A step that failed, with its Vietnamese message and advice. */
class StepFailure extends Error {
  constructor(
    message: string,
    readonly advice: string,
    readonly technical: string | null,
    /** Report the failure on another step than the one running (a server that is not the API). */
    readonly step?: ConnectionStepId,
  ) {
    super(message);
  }
}

interface StepOutcome {
  message: string;
  chain?: CertificateInfo[];
}

function codeOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'unknown';
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: timed out after ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} giây`;
}

// ---------- the network steps ----------

async function dnsStep(host: string, timeoutMs: number): Promise<StepOutcome & { address: string }> {
  if (isIP(host)) return { message: `Địa chỉ IP ${host}, không cần tra tên miền.`, address: host };
  try {
    const found = await withTimeout(lookup(host, { all: true }), timeoutMs, 'dns');
    const first = found[0];
    if (!first) throw Object.assign(new Error('no address'), { code: 'ENOTFOUND' });
    return { message: `Tên miền ${host} trỏ tới ${found.map((a) => a.address).join(', ')}.`, address: first.address };
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      throw new StepFailure(
        `Không tìm thấy máy chủ "${host}": tên miền không tồn tại hoặc máy này không tra được.`,
        'Kiểm tra lại địa chỉ máy chủ (gõ đúng tên miền chưa), kết nối mạng và máy chủ DNS của đơn vị.',
        code,
      );
    }
    throw new StepFailure(
      `Chưa tra được tên miền "${host}" (máy chủ DNS không trả lời).`,
      'Kiểm tra kết nối mạng và cấu hình DNS của máy; thử lại sau ít phút.',
      code,
    );
  }
}

async function tcpStep(host: string, address: string, port: number, timeoutMs: number): Promise<StepOutcome> {
  const socket = new Socket();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(Object.assign(new Error('tcp timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.connect(port, address);
    });
    return { message: `Đã mở kết nối tới ${host} (${address}) cổng ${port}.` };
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ECONNREFUSED') {
      throw new StepFailure(
        `Máy chủ ${host} (${address}) từ chối kết nối ở cổng ${port}: không có dịch vụ nào đang chạy ở cổng này.`,
        'Kiểm tra số cổng trong địa chỉ; hỏi quản trị máy chủ xem dịch vụ có đang chạy không.',
        code,
      );
    }
    if (code === 'ETIMEDOUT') {
      throw new StepFailure(
        `Không kết nối được tới ${host} (${address}) cổng ${port} trong ${seconds(timeoutMs)}.`,
        'Có thể tường lửa hoặc mạng của đơn vị chặn cổng này; kiểm tra với bộ phận mạng, hoặc cấu hình proxy nếu đơn vị bắt buộc.',
        code,
      );
    }
    throw new StepFailure(
      `Không mở được kết nối tới ${host} (${address}) cổng ${port}.`,
      'Kiểm tra kết nối mạng của máy và đường tới máy chủ (mạng nội bộ, VPN).',
      code,
    );
  } finally {
    socket.destroy();
  }
}

function certificateInfo(cert: DetailedPeerCertificate): CertificateInfo {
  const name = (o: Record<string, string | string[] | undefined> | undefined): string =>
    o
      ? Object.entries(o)
          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : (v ?? '')}`)
          .join(', ')
      : '';
  return {
    subject: name(cert.subject as unknown as Record<string, string>),
    issuer: name(cert.issuer as unknown as Record<string, string>),
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
    fingerprint256: cert.fingerprint256,
  };
}

function chainOf(socket: TLSSocket): CertificateInfo[] {
  const chain: CertificateInfo[] = [];
  let cert: DetailedPeerCertificate | null = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256) && chain.length < 10) {
    seen.add(cert.fingerprint256);
    chain.push(certificateInfo(cert));
    cert = cert.issuerCertificate ?? null;
  }
  return chain;
}

const TLS_FAILURES: Record<string, { message: (host: string) => string; advice: string }> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: {
    message: (host) => `Máy chủ ${host} dùng chứng chỉ tự ký mà máy này không tin cậy.`,
    advice:
      'Nếu đơn vị dùng chứng chỉ nội bộ, dán chứng chỉ CA (PEM) của đơn vị vào ô "Chứng chỉ CA riêng" rồi kiểm tra lại. Không tắt kiểm tra chứng chỉ.',
  },
  SELF_SIGNED_CERT_IN_CHAIN: {
    message: (host) => `Chứng chỉ của ${host} do một CA tự lập cấp, máy này không tin cậy CA đó.`,
    advice: 'Dán chứng chỉ CA (PEM) của đơn vị vào ô "Chứng chỉ CA riêng" rồi kiểm tra lại.',
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    message: (host) => `Không xác minh được chứng chỉ của ${host}: không biết CA đã cấp nó.`,
    advice: 'Dán chứng chỉ CA (PEM) đã cấp chứng chỉ máy chủ vào ô "Chứng chỉ CA riêng", hoặc báo quản trị máy chủ gửi kèm chứng chỉ trung gian.',
  },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
    message: (host) => `Không xác minh được chứng chỉ của ${host}: thiếu chứng chỉ CA cấp trên.`,
    advice: 'Dán chứng chỉ CA (PEM) của đơn vị vào ô "Chứng chỉ CA riêng", hoặc báo quản trị máy chủ gửi kèm chứng chỉ trung gian.',
  },
  CERT_HAS_EXPIRED: {
    message: (host) => `Chứng chỉ của máy chủ ${host} đã hết hạn.`,
    advice: 'Báo quản trị máy chủ gia hạn chứng chỉ. Kiểm tra cả ngày giờ của máy này có đúng không.',
  },
  CERT_NOT_YET_VALID: {
    message: (host) => `Chứng chỉ của máy chủ ${host} chưa đến ngày có hiệu lực.`,
    advice: 'Kiểm tra ngày giờ của máy này; nếu đúng, báo quản trị máy chủ.',
  },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    message: (host) => `Chứng chỉ của máy chủ không mang tên "${host}".`,
    advice: 'Dùng đúng tên máy chủ ghi trên chứng chỉ trong địa chỉ, hoặc báo quản trị máy chủ cấp lại chứng chỉ.',
  },
};

/**
 * A CONNECT tunnel to host:port through the proxy (for the TLS step of an HTTPS backend behind one).
 * @throws StepFailure when the proxy refuses (407: its sign-in; other: it will not reach the server).
 */
async function proxyTunnel(proxy: ProxyTarget, host: string, port: number, timeoutMs: number): Promise<Socket> {
  const socket = new Socket();
  try {
    const head = await withTimeout(
      new Promise<string>((resolve, reject) => {
        let buffered = '';
        socket.once('error', reject);
        socket.connect(proxy.port, proxy.host, () => {
          const target = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
          const auth = proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : '';
          socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
        });
        const onData = (chunk: Buffer): void => {
          buffered += chunk.toString('latin1');
          const end = buffered.indexOf('\r\n\r\n');
          if (end >= 0) {
            socket.off('data', onData);
            socket.pause();
            resolve(buffered.slice(0, end));
          } else if (buffered.length > 16_384) reject(Object.assign(new Error('proxy answer too long'), { code: 'EPROTO' }));
        };
        socket.on('data', onData);
      }),
      timeoutMs,
      'proxy',
    );
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
    if (status === 407) {
      throw new StepFailure(
        `Máy chủ proxy ${proxy.host}:${proxy.port} đòi đăng nhập${proxy.authorization ? ' và không nhận tài khoản proxy đã nhập' : ''}.`,
        'Nhập tài khoản và mật khẩu proxy do bộ phận mạng của đơn vị cấp.',
        'HTTP 407',
      );
    }
    if (status !== 200) {
      throw new StepFailure(
        `Máy chủ proxy ${proxy.host}:${proxy.port} không cho kết nối tới ${host}:${port} (mã ${status || 'không rõ'}).`,
        'Nhờ bộ phận mạng cho phép địa chỉ này qua proxy, hoặc thêm nó vào danh sách "Không qua proxy" nếu mạng nội bộ tới được trực tiếp.',
        status ? `HTTP ${status}` : 'no HTTP answer',
      );
    }
    return socket;
  } catch (error) {
    socket.destroy();
    if (error instanceof StepFailure) throw error;
    throw new StepFailure(
      `Không mở được đường hầm qua máy chủ proxy ${proxy.host}:${proxy.port}.`,
      'Kiểm tra địa chỉ và cổng proxy với bộ phận mạng của đơn vị.',
      codeOf(error),
    );
  }
}

async function tlsStep(host: string, port: number, ca: string | Buffer[] | undefined, timeoutMs: number, proxy?: ProxyTarget): Promise<StepOutcome> {
  let socket: TLSSocket | null = null;
  const tunnel = proxy ? await proxyTunnel(proxy, host, port, timeoutMs) : null;
  try {
    const chain = await new Promise<CertificateInfo[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(Object.assign(new Error('tls timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
      socket = tlsConnect({
        ...(tunnel ? { socket: tunnel } : {}),
        host,
        port,
        ...(isIP(host) ? {} : { servername: host }),
        // The real verification, as the adapters do it.
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        ...(ca !== undefined ? { ca } : {}),
      });
      const s = socket;
      s.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(chainOf(s));
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const leaf = chain[0];
    return {
      message: `Chứng chỉ hợp lệ${leaf ? `: ${leaf.subject}, do ${leaf.issuer} cấp, hiệu lực đến ${leaf.validTo}` : ''}.`,
      chain,
    };
  } catch (error) {
    const code = codeOf(error);
    const known = TLS_FAILURES[code];
    if (known) throw new StepFailure(known.message(host), known.advice, code);
    if (code === 'ETIMEDOUT') {
      throw new StepFailure(
        `Máy chủ ${host} không hoàn tất bắt tay TLS trong ${seconds(timeoutMs)}.`,
        'Kiểm tra cổng có đúng là cổng HTTPS/IMAPS không (cổng không mã hóa sẽ không trả lời TLS).',
        code,
      );
    }
    throw new StepFailure(
      `Không thiết lập được kết nối bảo mật (TLS) với ${host}.`,
      'Kiểm tra cổng có đúng là cổng mã hóa không; nếu máy chủ dùng chứng chỉ nội bộ, dán chứng chỉ CA của đơn vị.',
      code,
    );
  } finally {
    (socket as TLSSocket | null)?.destroy();
    tunnel?.destroy();
  }
}

// ---------- protocol steps ----------

function adapterFailure(error: unknown, system: string): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof AdapterError) {
    switch (error.code) {
      case 'auth_failed':
        return new StepFailure(
          `${system} từ chối đăng nhập: sai tên đăng nhập hoặc mật khẩu.`,
          'Nhập lại tài khoản và mật khẩu do quản trị hệ thống cấp; kiểm tra tài khoản còn hiệu lực.',
          'auth_failed',
        );
      case 'timeout':
        return new StepFailure(`${system} không trả lời kịp.`, 'Thử lại sau; nếu lặp lại, tăng thời gian chờ hoặc báo quản trị máy chủ.', 'timeout');
      case 'server_error':
        return new StepFailure(`${system} đang gặp lỗi (lỗi máy chủ).`, 'Thử lại sau ít phút; nếu lặp lại, báo quản trị hệ thống đó.', 'server_error');
      case 'malformed':
        return new StepFailure(
          `${system} trả lời không đúng định dạng mong đợi (phiên bản API không khớp).`,
          'Kiểm tra địa chỉ có trỏ đúng dịch vụ đồng bộ không và hỏi nhà cung cấp phiên bản API đang chạy.',
          'malformed',
          'api',
        );
      case 'unreachable':
        return new StepFailure(`Mất kết nối tới ${system} giữa chừng.`, 'Kiểm tra mạng rồi thử lại.', 'unreachable');
      default:
        return new StepFailure(`${system} trả lời bất thường.`, 'Kiểm tra địa chỉ và phiên bản API; xem nhật ký để biết chi tiết.', error.code);
    }
  }
  return new StepFailure(`${system} trả lời bất thường.`, 'Xem nhật ký để biết chi tiết.', codeOf(error));
}

function notTheApi(system: string, path: string, res: HttpResponse): StepFailure {
  return new StepFailure(
    `Máy chủ có trả lời nhưng không phải ${system}: ${path} trả về HTTP ${res.status}${res.headers['content-type'] ? ` (${res.headers['content-type'].split(';')[0]})` : ''}.`,
    'Kiểm tra lại địa chỉ (đường dẫn gốc của dịch vụ đồng bộ, không phải trang web); hỏi nhà cung cấp địa chỉ API đúng.',
    `http_${res.status}`,
    'api',
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface ProtocolSteps {
  auth(): Promise<StepOutcome>;
  api(): Promise<StepOutcome>;
  sample(): Promise<StepOutcome>;
  close(): Promise<void>;
}

function procedureSteps(config: z.output<typeof ProcedureAdapterConfigSchema>, timeoutMs: number): ProcedureSteps {
  return new ProcedureSteps(config, timeoutMs);
}

const PROCEDURE_SYSTEM = 'Hệ thống Một cửa điện tử';
const DOCUMENT_SYSTEM = 'Trục liên thông văn bản';

class ProcedureSteps implements ProtocolSteps {
  private readonly http: HttpClient;
  private readonly adapter: ProcedureAdapter;

  constructor(
    private readonly config: z.output<typeof ProcedureAdapterConfigSchema>,
    timeoutMs: number,
  ) {
    const common = { baseUrl: config.baseUrl, timeoutMs, retries: 0, ...(config.ca !== undefined ? { ca: config.ca } : {}), ...(config.proxy ? { proxy: config.proxy } : {}) };
    this.http = new HttpClient(common);
    this.adapter = new ProcedureAdapter({ ...config, timeoutMs, retries: 0, pageSize: 5 }, {});
  }

  async auth(): Promise<StepOutcome> {
    const path = '/api/DangNhap';
    let res: HttpResponse;
    try {
      res = await this.http.request({
        method: 'POST',
        path,
        body: { TenDangNhap: this.config.username, MatKhau: this.config.password },
        responseType: 'text',
        passStatus: [400, 404, 405, 301, 302, 307, 308],
      });
    } catch (error) {
      throw adapterFailure(error, PROCEDURE_SYSTEM);
    }
    let body: unknown = null;
    try {
      body = JSON.parse(res.text) as unknown;
    } catch {
      body = null;
    }
    if (res.status < 200 || res.status >= 300 || !isRecord(body) || typeof body['error_code'] !== 'string') {
      throw notTheApi(PROCEDURE_SYSTEM, path, res);
    }
    const code = body['error_code'];
    if (code === '1') {
      throw new StepFailure(
        `${PROCEDURE_SYSTEM} từ chối đăng nhập: sai tên đăng nhập hoặc mật khẩu (tài khoản "${this.config.username}").`,
        'Nhập lại tài khoản và mật khẩu do quản trị hệ thống Một cửa cấp; kiểm tra tài khoản còn hiệu lực, chưa bị khóa.',
        'error_code 1',
      );
    }
    if ((code !== '0' && code !== '00') || typeof body['session'] !== 'string') {
      throw new StepFailure(
        `${PROCEDURE_SYSTEM} không cho đăng nhập (mã lỗi ${code.slice(0, 10)}).`,
        'Báo quản trị hệ thống Một cửa kèm mã lỗi này.',
        `error_code ${code.slice(0, 10)}`,
      );
    }
    return { message: `Đăng nhập thành công với tài khoản "${this.config.username}".` };
  }

  async api(): Promise<StepOutcome> {
    try {
      const procedures = await this.adapter.listProcedures();
      return { message: `Máy chủ nói đúng giao thức đồng bộ DVCQG: danh mục có ${procedures.length} thủ tục.` };
    } catch (error) {
      const failure = adapterFailure(error, PROCEDURE_SYSTEM);
      throw new StepFailure(failure.message, failure.advice, failure.technical, 'api');
    }
  }

  async sample(): Promise<StepOutcome> {
    try {
      const page = await this.adapter.pull(null);
      return {
        message: `Lấy thử được ${page.records.length} hồ sơ${page.quarantined.length > 0 ? ` (${page.quarantined.length} hồ sơ sai định dạng)` : ''}${page.hasMore ? ', còn nữa' : ''}.`,
      };
    } catch (error) {
      throw adapterFailure(error, PROCEDURE_SYSTEM);
    }
  }

  async close(): Promise<void> {
    this.http.close();
    await this.adapter.close();
  }
}

class DocumentSteps implements ProtocolSteps {
  private readonly http: HttpClient;
  private readonly adapter: DocumentAdapter;
  private token: string | null = null;

  constructor(
    private readonly config: z.output<typeof DocumentAdapterConfigSchema>,
    timeoutMs: number,
  ) {
    this.http = new HttpClient({ baseUrl: config.baseUrl, timeoutMs, retries: 0, ...(config.ca !== undefined ? { ca: config.ca } : {}), ...(config.proxy ? { proxy: config.proxy } : {}) });
    this.adapter = new DocumentAdapter({ ...config, timeoutMs, retries: 0, pageSize: 5, concurrency: 2 }, {});
  }

  async auth(): Promise<StepOutcome> {
    const path = '/oauth/token';
    let res: HttpResponse;
    try {
      res = await this.http.request({
        method: 'POST',
        path,
        body: { client_id: this.config.clientId, client_secret: this.config.clientSecret },
        responseType: 'text',
        passStatus: [400, 401, 404, 405, 301, 302, 307, 308],
      });
    } catch (error) {
      throw adapterFailure(error, DOCUMENT_SYSTEM);
    }
    let body: unknown = null;
    try {
      body = JSON.parse(res.text) as unknown;
    } catch {
      body = null;
    }
    if ((res.status === 400 || res.status === 401) && isRecord(body)) {
      throw new StepFailure(
        `${DOCUMENT_SYSTEM} từ chối đăng nhập: mã ứng dụng (client id) hoặc mật khẩu ứng dụng (client secret) không đúng.`,
        'Nhập lại client id và client secret do quản trị trục liên thông cấp.',
        `http_${res.status}`,
      );
    }
    if (res.status < 200 || res.status >= 300 || !isRecord(body) || typeof body['access_token'] !== 'string') {
      throw notTheApi(DOCUMENT_SYSTEM, path, res);
    }
    this.token = body['access_token'];
    return { message: `Đăng nhập thành công với ứng dụng "${this.config.clientId}".` };
  }

  async api(): Promise<StepOutcome> {
    const path = '/edoc/received';
    let res: HttpResponse;
    try {
      res = await this.http.request({
        method: 'GET',
        path,
        query: { cursor: '', limit: 1 },
        headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
        responseType: 'text',
        passStatus: [404, 405],
      });
    } catch (error) {
      const failure = adapterFailure(error, DOCUMENT_SYSTEM);
      throw new StepFailure(failure.message, failure.advice, failure.technical, 'api');
    }
    let body: unknown = null;
    try {
      body = JSON.parse(res.text) as unknown;
    } catch {
      body = null;
    }
    if (res.status !== 200 || !isRecord(body)) throw notTheApi(DOCUMENT_SYSTEM, path, res);
    if (!Array.isArray(body['items']) || typeof body['hasMore'] !== 'boolean') {
      throw new StepFailure(
        `${DOCUMENT_SYSTEM} trả lời danh sách văn bản theo định dạng khác (phiên bản API không khớp).`,
        'Hỏi nhà cung cấp phiên bản API của trục; ứng dụng cần danh sách dạng {items, hasMore, nextCursor}.',
        'list_shape',
        'api',
      );
    }
    return { message: `Máy chủ nói đúng giao thức trục liên thông (edXML).` };
  }

  async sample(): Promise<StepOutcome> {
    try {
      const page = await this.adapter.pull(null);
      return {
        message: `Lấy thử được ${page.records.length} văn bản${page.quarantined.length > 0 ? ` (${page.quarantined.length} văn bản sai định dạng)` : ''}${page.hasMore ? ', còn nữa' : ''}.`,
      };
    } catch (error) {
      throw adapterFailure(error, DOCUMENT_SYSTEM);
    }
  }

  async close(): Promise<void> {
    this.http.close();
    await this.adapter.close();
  }
}

const MAIL_SYSTEM = 'Máy chủ thư';

/** SMTP: connect (TLS as configured, verified), AUTH, QUIT — nothing is sent. */
function smtpLogin(smtp: SmtpEndpoint): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const connection = new SMTPConnection(smtpConnectionOptions(smtp));
    let settled = false;
    const finish = (error: unknown): void => {
      if (settled) return;
      settled = true;
      if (error) {
        connection.close();
        const e = error as { code?: string; responseCode?: number };
        const code = e.code ?? 'smtp';
        const known = TLS_FAILURES[code];
        if (code === 'EAUTH') {
          reject(
            new StepFailure(
              `Máy chủ gửi thư (SMTP) ${smtp.host}:${smtp.port} từ chối đăng nhập: sai tài khoản hoặc mật khẩu gửi thư (tài khoản "${smtp.user}").`,
              'Nhập lại mật khẩu gửi thư (nếu khác mật khẩu đọc thư, điền riêng cho SMTP); kiểm tra tài khoản được phép gửi.',
              `EAUTH${e.responseCode ? ` ${e.responseCode}` : ''}`,
            ),
          );
        } else if (known) {
          reject(new StepFailure(`Máy chủ gửi thư: ${known.message(smtp.host)}`, known.advice, code));
        } else {
          reject(
            new StepFailure(
              `Không kết nối hoặc đăng nhập được máy chủ gửi thư (SMTP) ${smtp.host}:${smtp.port}.`,
              'Kiểm tra địa chỉ, cổng (587 STARTTLS hoặc 465 TLS) và chế độ mã hóa của máy chủ gửi thư.',
              code,
            ),
          );
        }
        return;
      }
      try {
        connection.quit();
      } catch {
        connection.close();
      }
      resolve();
    };
    connection.on('error', (error: unknown) => finish(error));
    connection.connect((error) => {
      if (error) {
        finish(error);
        return;
      }
      connection.login({ user: smtp.user, pass: smtp.password }, (loginError) => finish(loginError ?? null));
    });
  });
}

class MailSteps implements ProtocolSteps {
  private client: ImapFlow | null = null;

  constructor(
    private readonly config: z.output<typeof MailAdapterConfigSchema>,
    private readonly timeoutMs: number,
  ) {}

  async auth(): Promise<StepOutcome> {
    const c = this.config;
    const client = new ImapFlow(imapClientOptions(c, this.timeoutMs, this.timeoutMs * 2));
    client.on('error', () => undefined);
    this.client = client;
    try {
      await client.connect();
    } catch (error) {
      const e = error as { authenticationFailed?: boolean; code?: string };
      if (e.authenticationFailed) {
        throw new StepFailure(
          `${MAIL_SYSTEM} từ chối đăng nhập: sai tài khoản hoặc mật khẩu thư (tài khoản "${c.user}").`,
          'Nhập lại tài khoản và mật khẩu thư công vụ; kiểm tra tài khoản chưa bị khóa.',
          'AUTHENTICATIONFAILED',
        );
      }
      const code = codeOf(error);
      const known = TLS_FAILURES[code];
      if (known) throw new StepFailure(known.message(c.host), known.advice, code, 'tls');
      throw new StepFailure(
        `Không đăng nhập được vào ${MAIL_SYSTEM.toLowerCase()} ${c.host}.`,
        c.tls === 'starttls' ? 'Máy chủ có thể không hỗ trợ STARTTLS: thử chế độ TLS ngay khi kết nối (cổng 993).' : 'Kiểm tra cổng và chế độ mã hóa.',
        code,
      );
    }
    const smtp = c.smtp;
    if (!smtp) return { message: `Đăng nhập thư thành công với tài khoản "${c.user}" (không cấu hình gửi thư).` };
    const endpoint: SmtpEndpoint = {
      host: smtp.host,
      port: smtp.port,
      tls: smtp.tls,
      user: smtp.user ?? c.user,
      password: smtp.password ?? c.password,
      ca: c.ca,
      timeoutMs: this.timeoutMs,
    };
    await smtpLogin(endpoint);
    return { message: `Đăng nhập thư thành công với tài khoản "${c.user}"; máy chủ gửi thư ${smtp.host}:${smtp.port} nhận đăng nhập của "${endpoint.user}".` };
  }

  async api(): Promise<StepOutcome> {
    const client = this.client;
    if (!client) throw new StepFailure('Chưa đăng nhập.', 'Thử lại.', null);
    const caps = [...client.capabilities.keys()];
    if (!caps.some((cap) => cap.toUpperCase() === 'IMAP4REV1' || cap.toUpperCase() === 'IMAP4REV2')) {
      throw new StepFailure(`${MAIL_SYSTEM} không hỗ trợ IMAP4rev1.`, 'Hỏi quản trị máy chủ thư.', caps.slice(0, 10).join(' '), 'api');
    }
    const folders = await client.list();
    const paths = new Set(folders.map((f) => f.path));
    const missing = this.config.folders.filter((f) => !paths.has(f));
    if (missing.length > 0) {
      throw new StepFailure(
        `Hộp thư không có thư mục: ${missing.join(', ')}.`,
        `Sửa danh sách thư mục cần đồng bộ; hộp thư có: ${[...paths].slice(0, 15).join(', ')}.`,
        'missing_folder',
        'api',
      );
    }
    return { message: `Máy chủ IMAP hỗ trợ ${caps.filter((cap) => /^(IMAP4rev1|IMAP4rev2|IDLE|CONDSTORE|QRESYNC)$/i.test(cap)).join(', ')}; có đủ ${this.config.folders.length} thư mục.` };
  }

  async sample(): Promise<StepOutcome> {
    const client = this.client;
    if (!client) throw new StepFailure('Chưa đăng nhập.', 'Thử lại.', null);
    const folder = this.config.folders[0] ?? 'INBOX';
    const status = await client.status(folder, { messages: true, unseen: true });
    if (!status) throw new StepFailure(`Không đọc được thư mục ${folder}.`, 'Kiểm tra quyền của tài khoản với thư mục này.', 'status_failed');
    return { message: `Thư mục ${folder} có ${status.messages ?? 0} thư (${status.unseen ?? 0} chưa đọc).` };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.logout().catch(() => client.close());
  }
}

// ---------- the walk ----------

export interface ConnectionTarget {
  kind: Source;
  host: string;
  port: number;
  /** 'implicit' = TLS from the first byte (https, IMAPS); 'starttls' = upgraded by the protocol; 'none'. */
  tls: 'implicit' | 'starttls' | 'none';
  ca: string | Buffer[] | undefined;
  steps: ProtocolSteps;
  /** The HTTP(S) proxy the backend goes through (DNS and TCP check the proxy; TLS runs in its tunnel). */
  proxy?: ProxyTarget;
}

export interface ProxyTarget {
  host: string;
  port: number;
  /** `Basic …` when the proxy has a user (never shown or logged). */
  authorization: string | null;
}

/**
 * Validate a resolved adapter config (`{kind, ...}`) and build what the walk needs.
 * @throws Error with the schema issues when the config is invalid.
 */
export function connectionTarget(adapter: Record<string, unknown>, timeoutMs: number): ConnectionTarget {
  const { kind, ...rest } = adapter;
  if (kind === 'procedure' || kind === 'document') {
    const schema = kind === 'procedure' ? ProcedureAdapterConfigSchema : DocumentAdapterConfigSchema;
    const parsed = schema.safeParse(rest);
    if (!parsed.success) throw new ConnectionConfigError(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(cấu hình)'}: ${i.message}`));
    const url = new URL(parsed.data.baseUrl);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const https = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : https ? 443 : 80;
    const steps =
      kind === 'procedure'
        ? procedureSteps(parsed.data as z.output<typeof ProcedureAdapterConfigSchema>, timeoutMs)
        : new DocumentSteps(parsed.data as z.output<typeof DocumentAdapterConfigSchema>, timeoutMs);
    const proxyConfig = parsed.data.proxy && !bypassesProxy(url.hostname, parsed.data.proxy.noProxy) ? parsed.data.proxy : null;
    let proxy: ProxyTarget | undefined;
    if (proxyConfig) {
      const p = new URL(proxyConfig.url);
      proxy = {
        host: p.hostname.replace(/^\[|\]$/g, ''),
        port: p.port ? Number(p.port) : p.protocol === 'https:' ? 443 : 80,
        authorization:
          proxyConfig.username !== undefined ? `Basic ${Buffer.from(`${proxyConfig.username}:${proxyConfig.password ?? ''}`).toString('base64')}` : null,
      };
    }
    return { kind, host, port, tls: https ? 'implicit' : 'none', ca: parsed.data.ca, steps, ...(proxy ? { proxy } : {}) };
  }
  if (kind === 'mail') {
    const parsed = MailAdapterConfigSchema.safeParse(rest);
    if (!parsed.success) throw new ConnectionConfigError(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(cấu hình)'}: ${i.message}`));
    const c = parsed.data;
    return { kind, host: c.host, port: c.port, tls: c.tls, ca: c.ca, steps: new MailSteps(c, timeoutMs) };
  }
  throw new ConnectionConfigError([`kind: loại hệ thống "${String(kind)}" không được hỗ trợ (procedure, document, mail)`]);
}

export class ConnectionConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Cấu hình chưa hợp lệ: ${issues.join('; ')}`);
    this.name = 'ConnectionConfigError';
  }
}

/** Run the six steps in order; after a failure the rest are skipped. Never throws for a network failure. */
export async function runConnectionTest(target: ConnectionTarget, timeoutMs: number): Promise<ConnectionTestResult> {
  const steps = new Map<ConnectionStepId, ConnectionStep>();
  let failed: ConnectionStepId | null = null;
  let address = target.host;
  const run = async (id: ConnectionStepId, body: () => Promise<StepOutcome | null>): Promise<void> => {
    if (failed) {
      if (!steps.has(id)) steps.set(id, { id, status: 'skipped', durationMs: 0, message: SKIPPED_AFTER_FAILURE, advice: null, technical: null });
      return;
    }
    const started = performance.now();
    try {
      const outcome = await body();
      const durationMs = Math.round(performance.now() - started);
      if (outcome === null) return;
      steps.set(id, { id, status: 'ok', durationMs, message: outcome.message, advice: null, technical: null, ...(outcome.chain ? { chain: outcome.chain } : {}) });
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      const failure = error instanceof StepFailure ? error : adapterFailure(error, 'Máy chủ');
      const at = failure.step ?? id;
      if (at !== id && !steps.has(id)) {
        const why = at === 'api' ? 'Không kiểm tra được vì máy chủ không phải dịch vụ cần kết nối.' : SKIPPED_AFTER_FAILURE;
        steps.set(id, { id, status: 'skipped', durationMs, message: why, advice: null, technical: null });
      }
      steps.set(at, { id: at, status: 'failed', durationMs, message: failure.message, advice: failure.advice, technical: failure.technical });
      failed = at;
    }
  };
  const skip = (id: ConnectionStepId, message: string): void => {
    steps.set(id, { id, status: 'skipped', durationMs: 0, message, advice: null, technical: null });
  };
  try {
    // Behind a proxy this machine only resolves and reaches the proxy; the server is reached through it.
    const first = target.proxy ?? target;
    await run('dns', async () => {
      const found = await dnsStep(first.host, timeoutMs);
      address = found.address;
      return target.proxy ? { ...found, message: `Qua máy chủ proxy. ${found.message}` } : found;
    });
    await run('tcp', () => tcpStep(first.host, address, first.port, timeoutMs));
    if (target.tls === 'implicit') await run('tls', () => tlsStep(target.host, target.port, target.ca, timeoutMs, target.proxy));
    else if (!failed) {
      skip('tls', target.tls === 'starttls' ? 'Mã hóa bằng STARTTLS: được kiểm tra khi đăng nhập.' : 'Không dùng TLS (chỉ cho phép với máy cục bộ 127.0.0.1).');
    }
    await run('auth', () => target.steps.auth());
    await run('api', () => target.steps.api());
    await run('sample', () => target.steps.sample());
  } finally {
    await target.steps.close().catch(() => undefined);
  }
  const ordered = CONNECTION_STEPS.map(
    (id) => steps.get(id) ?? { id, status: 'skipped' as const, durationMs: 0, message: SKIPPED_AFTER_FAILURE, advice: null, technical: null },
  );
  return {
    ok: failed === null,
    kind: target.kind,
    target: `${target.host}:${target.port}`,
    failedStep: failed,
    steps: ordered,
  };
}
