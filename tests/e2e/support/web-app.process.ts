/**
 * Runs the real web app (training sandbox + core + browser host) in a child process for Playwright,
 * on a temp data folder. Reads line commands on stdin, answers JSON lines on stdout:
 *   {"cmd":"sandbox-stop"} | {"cmd":"sandbox-start"} | {"cmd":"emit","kind":"procedure","count":1} | {"cmd":"quit"}
 *   {"cmd":"find","kind":"procedure","statuses":["4"],"overdue":true}  an item in one of these statuses, never handed out before
 *   {"cmd":"touch","kind":"procedure","id":"…"}   another official changes the item on the backend (conflict)
 *   {"cmd":"item","kind":"procedure","id":"…"}    the backend's own status and step count (ground truth)
 *   {"cmd":"faults","patch":{…},"target":"both"}  sandbox fault switches
 *
 * With CW_E2E_MAIL=1 a mail account on real Dovecot + Postfix (tests/support/mail-servers.ts, users
 * lan and hung) is added beside the training backends, with a loopback HTTP server that records every
 * request (the "remote" images and styles of hostile mails point at it):
 *   {"cmd":"mail-info"}                            servers, users, the recorder's URL, the account's backend id
 *   {"cmd":"mail-deliver","to":"lan","raw":"…"}   deliver raw MIME to a user's INBOX (LMTP)
 *   {"cmd":"hits"}                                 what the recorder received: [{path, userAgent}]
 *   {"cmd":"imap-stop"} | {"cmd":"imap-start"}     Dovecot down (sessions killed) / up again
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startWebApp, type WebAppOptions } from '../../../src/host/web-app';
import { startMailServers, type MailServers } from '../../support/mail-servers';

/** The mail account of CW_E2E_MAIL runs. */
const E2E_MAIL_BACKEND_ID = 'congvu';
const MAIL_USERS = [
  { user: 'lan', password: 'Mật-khẩu-e2e-Lan', displayName: 'Nguyễn Thị Lan' },
  { user: 'hung', password: 'Mật-khẩu-e2e-Hùng', displayName: 'Nguyễn Văn Hùng' },
] as const;
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

interface Recorder {
  url: string;
  hits: Array<{ path: string; userAgent: string }>;
  server: Server;
}

async function startRecorder(): Promise<Recorder> {
  const hits: Recorder['hits'] = [];
  const server = createServer((req, res) => {
    hits.push({ path: req.url ?? '', userAgent: req.headers['user-agent'] ?? '' });
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': PIXEL.length, 'Cache-Control': 'no-store' });
    res.end(PIXEL);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, hits, server };
}

let mail: { servers: MailServers; recorder: Recorder } | null = null;
const extra: Pick<WebAppOptions, 'extraBackends' | 'remoteImageAddressAllowed'> = {};
if (process.env['CW_E2E_MAIL'] === '1') {
  const servers = await startMailServers({ users: MAIL_USERS.map((u) => ({ user: u.user, password: u.password })), tls: false });
  const recorder = await startRecorder();
  mail = { servers, recorder };
  // "Hiện hình ảnh": the core may fetch from the recorder on loopback (never allowed outside tests).
  extra.remoteImageAddressAllowed = (address) => address === '127.0.0.1';
  const lan = MAIL_USERS[0];
  extra.extraBackends = [
    {
      adapter: {
        kind: 'mail',
        id: E2E_MAIL_BACKEND_ID,
        label: 'Thư công vụ',
        host: servers.imap.host,
        port: servers.imap.port,
        tls: 'none',
        user: lan.user,
        password: lan.password,
        address: servers.address(lan.user),
        displayName: lan.displayName,
        smtp: { host: servers.smtp.host, port: servers.smtp.port, tls: 'none' },
        folders: ['INBOX', 'Sent'],
      },
      pollIntervalMs: 1000,
    },
  ];
}

const dataDir = process.env['CW_E2E_DATA_DIR'] ?? mkdtempSync(join(tmpdir(), 'cw-e2e-'));
const app = await startWebApp({
  dataDir,
  seed: Number(process.env['CW_E2E_SEED'] ?? '7'),
  sandboxDays: Number(process.env['CW_E2E_DAYS'] ?? '20'),
  streamIntervalMs: 0,
  pollIntervalMs: Number(process.env['CW_E2E_POLL_MS'] ?? '1000'),
  token: 'e2e-token',
  ...extra,
});

/** Items already handed to a test, so tests sharing this app never act on the same one. */
const handedOut = new Set<string>();

/** yyyyMMddHHmmss in Hà Nội time → epoch ms. */
function parseBackendTime(s: string | null | undefined): number | null {
  if (!s || !/^\d{14}$/.test(s)) return null;
  const n = (a: number, b: number): number => Number(s.slice(a, b));
  return Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14)) - 7 * 3600_000;
}

function say(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

say({ type: 'ready', url: app.host.url, openUrl: app.host.openUrl, token: app.host.token, dataDir });

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  void (async () => {
    const msg = JSON.parse(line) as {
      cmd: string;
      to?: string;
      raw?: string;
      kind?: 'procedure' | 'document';
      count?: number;
      statuses?: string[];
      overdue?: boolean;
      id?: string;
      patch?: Record<string, number>;
      target?: 'procedure' | 'document' | 'both';
    };
    const sandbox = app.sandbox;
    if (!sandbox) throw new Error('no sandbox');
    if (msg.cmd === 'sandbox-stop') await sandbox.stop();
    else if (msg.cmd === 'sandbox-start') await sandbox.restart();
    else if (msg.cmd === 'emit') {
      const kind = msg.kind ?? 'procedure';
      const created = sandbox.emit(kind, msg.count ?? 1);
      // What an official would type to find it: the dossier code, or the document's số/ký hiệu.
      const refs =
        kind === 'procedure'
          ? created
          : created.map((id) => {
              const doc = sandbox.documents().find((d) => d.DocId === id);
              return doc ? `${doc.CodeNumber}/${doc.CodeNotation}` : id;
            });
      // Issue #7 notifications: which of the new documents are urgent (Priority ≥ 1, độ khẩn).
      const urgent = kind === 'document' ? created.filter((id) => (sandbox.documents().find((d) => d.DocId === id)?.Priority ?? 0) >= 1) : [];
      say({ type: 'done', cmd: msg.cmd, created, refs, urgent });
      return;
    } else if (msg.cmd === 'find') {
      const statuses = msg.statuses ?? [];
      const now = Date.now();
      const pick = (): { id: string; ref: string } | null => {
        if (msg.kind === 'document') {
          const doc = sandbox.documents().find((d) => statuses.includes(d.Status) && !handedOut.has(d.DocId));
          return doc ? { id: doc.DocId, ref: `${doc.CodeNumber}/${doc.CodeNotation}` } : null;
        }
        const dossier = sandbox
          .dossiers()
          .find(
            (d) =>
              statuses.includes(d.TrangThaiHoSo) &&
              !handedOut.has(d.MaHoSo) &&
              (!msg.overdue || (parseBackendTime(d.NgayHenTra) ?? Infinity) < now - 3600_000),
          );
        return dossier ? { id: dossier.MaHoSo, ref: dossier.MaHoSo } : null;
      };
      let found = pick();
      // New items arrive received (counter) or new (online): emit until one has the status asked for.
      for (let i = 0; !found && i < 40 && !msg.overdue; i++) {
        sandbox.emit(msg.kind ?? 'procedure', 1);
        found = pick();
      }
      if (!found) throw new Error(`no ${msg.kind} in ${statuses.join('/')}`);
      handedOut.add(found.id);
      say({ type: 'done', cmd: msg.cmd, ...found });
      return;
    } else if (msg.cmd === 'touch') {
      const id = msg.id ?? '';
      const touched = msg.kind === 'document' ? sandbox.touchDocument(id) : sandbox.touchDossier(id);
      if (!touched) throw new Error(`cannot touch ${id}`);
      say({ type: 'done', cmd: msg.cmd });
      return;
    } else if (msg.cmd === 'item') {
      const id = msg.id ?? '';
      if (msg.kind === 'document') {
        const doc = sandbox.documents().find((d) => d.DocId === id);
        say({ type: 'done', cmd: msg.cmd, status: doc?.Status ?? null, replies: sandbox.replies().filter((r) => r.responseFor === id).length });
      } else {
        const d = sandbox.dossiers().find((x) => x.MaHoSo === id);
        say({ type: 'done', cmd: msg.cmd, status: d?.TrangThaiHoSo ?? null, steps: d?.QuaTrinhXuLy?.length ?? 0 });
      }
      return;
    } else if (msg.cmd === 'faults') {
      say({ type: 'done', cmd: msg.cmd, faults: sandbox.setFaults(msg.patch ?? {}, msg.target ?? 'both') });
      return;
    } else if (msg.cmd === 'mail-info') {
      if (!mail) throw new Error('not a mail run (CW_E2E_MAIL=1)');
      const { servers, recorder } = mail;
      say({
        type: 'done',
        cmd: msg.cmd,
        backendId: E2E_MAIL_BACKEND_ID,
        imap: servers.imap,
        smtp: { host: servers.smtp.host, port: servers.smtp.port },
        domain: servers.domain,
        users: MAIL_USERS.map((u) => ({ ...u, address: servers.address(u.user) })),
        recorderUrl: recorder.url,
      });
      return;
    } else if (msg.cmd === 'mail-deliver') {
      if (!mail) throw new Error('not a mail run (CW_E2E_MAIL=1)');
      await mail.servers.deliver(msg.raw ?? '', msg.to ?? 'lan');
    } else if (msg.cmd === 'imap-stop') {
      if (!mail) throw new Error('not a mail run (CW_E2E_MAIL=1)');
      // Established sessions (IDLE included) outlive the master: end them first (as on a network
      // loss), then stop Dovecot so no new one opens.
      await mail.servers.killImapSessions();
      await mail.servers.stopImap();
    } else if (msg.cmd === 'imap-start') {
      if (!mail) throw new Error('not a mail run (CW_E2E_MAIL=1)');
      await mail.servers.startImap();
    } else if (msg.cmd === 'hits') {
      if (!mail) throw new Error('not a mail run (CW_E2E_MAIL=1)');
      say({ type: 'done', cmd: msg.cmd, hits: mail.recorder.hits });
      return;
    } else if (msg.cmd === 'quit') {
      await app.close();
      if (mail) {
        await mail.servers.stop();
        mail.recorder.server.close();
      }
      say({ type: 'done', cmd: msg.cmd });
      process.exit(0);
    }
    say({ type: 'done', cmd: msg.cmd });
  })().catch((err: unknown) => say({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
});
