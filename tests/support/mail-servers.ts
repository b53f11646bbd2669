/**
 * Real mail servers for tests: Debian's Dovecot (IMAP + IMAPS/STARTTLS, LMTP, auth) and Postfix
 * (smtpd with SMTP AUTH through Dovecot's auth service, delivering to Dovecot over LMTP), started as
 * loopback instances from configs generated under a temp folder. Nothing of the system's own mail
 * setup is used or touched; every port is a random free 127.0.0.1 port.
 *
 *   nodemailer ─SMTP AUTH→ postfix smtpd ─LMTP→ dovecot ─Maildir→ imapflow (IMAP)
 *   deliver()  ─────────────────────LMTP→ dovecot
 *
 * Gotchas (../shared/TOOLCHAIN.md): dovecot refuses uid 0 in its users file (mailboxes belong to the
 * `mail` user, first_valid_uid = 8); postfix logs only to its `maillog_file`; `postfix -c DIR check`
 * creates the queue folders; imapflow needs an explicit idle() for EXISTS pushes.
 *
 * A missing binary throws an Error naming the apt package: tests then fail (CI installs them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { MailAdapterConfig } from '../../src/core/adapters/mail.adapter';
import { freePort } from './ports';

export interface MailUser {
  /** Login name: a bare local part (`lan`) or an address (`lan@example.test`); the local part is the key. */
  user: string;
  password: string;
}

export interface MailServersOptions {
  users: MailUser[];
  /** Mail domain of the users (default `example.test`). */
  domain?: string;
  /** Generate a self-signed certificate and offer IMAPS + STARTTLS (IMAP and SMTP) (default true). */
  tls?: boolean;
  /**
   * Refuse recipients of the mail domain that are not users at RCPT TO, as a real server does
   * ("550 5.1.1 … User unknown in virtual mailbox table"). Default false: every address of the domain
   * is accepted at RCPT TO (an unknown one bounces later).
   */
  rejectUnknownRecipients?: boolean;
}

export interface MailServers {
  domain: string;
  /** Plain IMAP (STARTTLS offered when TLS is on). */
  imap: { host: string; port: number };
  /** Implicit-TLS IMAP, null without TLS. */
  imaps: { host: string; port: number } | null;
  /** PEM of the self-signed certificate (its own CA; CN/SAN localhost + 127.0.0.1), null without TLS. */
  caPem: string | null;
  /**
   * Postfix smtpd, SMTP AUTH PLAIN/LOGIN with the users' passwords; STARTTLS offered (the same
   * certificate as Dovecot's) when TLS is on, never required. See `rejectUnknownRecipients`.
   */
  smtp: { host: string; port: number; starttls: boolean };
  /** Dovecot LMTP. */
  lmtp: { host: string; port: number };
  /** The address of a user (`lan` → `lan@example.test`). */
  address(user: string): string;
  /** Deliver a raw message to a user's INBOX over LMTP (bypasses postfix; the bytes land as given). */
  deliver(rawMime: string | Buffer | { path: string }, to: string): Promise<void>;
  /** Stop Dovecot (IMAP, LMTP, auth): connections are refused until startImap(). */
  stopImap(): Promise<void>;
  startImap(): Promise<void>;
  /**
   * Kill this Dovecot's running `imap` session processes (SIGKILL): every established IMAP connection
   * (IDLE included) drops as on a network loss, while Dovecot keeps accepting new ones. stopImap() alone
   * does not end established sessions (their processes outlive the master). Returns how many died.
   */
  killImapSessions(): Promise<number>;
  /** The user's Maildir++ root (INBOX; other folders are `.Name` inside). Dovecot creates it on the first delivery. */
  maildir(user: string): string;
  /** Current UIDVALIDITY of a folder, read from Dovecot's uidlist. */
  uidValidity(user: string, folder?: string): number | null;
  /**
   * Make a folder's UIDVALIDITY change (Dovecot stopped, its uidlist and indexes deleted, UIDs
   * renumbered on the next open, UIDVALIDITY forced above the old one). Restarts Dovecot if it ran.
   */
  resetUidValidity(user: string, folder?: string): Promise<{ before: number | null; after: number | null }>;
  /** Wait until Postfix's queue is empty (all SMTP submissions delivered); throws after timeoutMs. */
  waitQueueEmpty(timeoutMs?: number): Promise<void>;
  /** Tail of the server logs, for failing tests. */
  logs(): string;
  /** Stop every process and remove the temp folder (idempotent). */
  stop(): Promise<void>;
}

const BINARIES: { path: string; pkg: string }[] = [
  { path: '/usr/sbin/dovecot', pkg: 'dovecot-imapd' },
  { path: '/usr/lib/dovecot/imap', pkg: 'dovecot-imapd' },
  { path: '/usr/lib/dovecot/lmtp', pkg: 'dovecot-lmtpd' },
  { path: '/usr/bin/doveadm', pkg: 'dovecot-core' },
  { path: '/usr/sbin/postfix', pkg: 'postfix' },
  { path: '/usr/lib/postfix/sbin/master', pkg: 'postfix' },
  { path: '/usr/bin/openssl', pkg: 'openssl' },
];

function requireBinaries(tls: boolean): void {
  const missing = BINARIES.filter((b) => (tls || b.pkg !== 'openssl') && !existsSync(b.path));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((b) => b.pkg))].join(' ');
    throw new Error(
      `Mail test servers need ${missing.map((b) => b.path).join(', ')}: install them with ` +
        `\`apt-get install -y --no-install-recommends ${pkgs}\` (preseed postfix "No configuration"; .ci/run does this).`,
    );
  }
}

/** Numeric uid/gid of a system user, from /etc/passwd. */
function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`system user "${name}" is missing (the dovecot-core and postfix packages create it)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Resolve once something accepts on host:port (and optionally sends a greeting line). */
async function waitForPort(port: number, timeoutMs: number, what: string, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      const done = (value: boolean): void => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(500, () => done(false));
      socket.once('data', () => done(true));
      socket.once('error', () => done(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start on 127.0.0.1:${port} within ${timeoutMs} ms\n${logs()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function run(cmd: string, args: string[], what: string): string {
  const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  if (res.error || res.status !== 0) {
    throw new Error(`${what} failed (${cmd} ${args.join(' ')}): ${res.error?.message ?? ''}${res.stderr}${res.stdout}`);
  }
  return res.stdout;
}

function tail(path: string, lines = 40): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function localPart(user: string): string {
  const at = user.indexOf('@');
  return at < 0 ? user : user.slice(0, at);
}

/** Folder path inside a Maildir++ (INBOX = the root, others `.Name`). */
function folderDir(maildir: string, folder: string): string {
  return folder.toUpperCase() === 'INBOX' ? maildir : join(maildir, `.${folder.replace(/\//g, '.')}`);
}

function readUidValidity(dir: string): number | null {
  try {
    const first = readFileSync(join(dir, 'dovecot-uidlist'), 'utf8').split('\n')[0] ?? '';
    const m = / V(\d+)/.exec(first);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function dovecotConf(o: {
  dir: string;
  imapPort: number;
  imapsPort: number | null;
  lmtpPort: number;
  authPort: number;
  cert: string | null;
  key: string | null;
}): string {
  const d = o.dir;
  return `# generated by tests/support/mail-servers.ts
base_dir = ${d}/dovecot-run
state_dir = ${d}/dovecot-state
log_path = ${d}/dovecot.log
info_log_path = ${d}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
shutdown_clients = yes
first_valid_uid = 8
last_valid_uid = 0
mail_location = maildir:~/Maildir
mail_uid = mail
mail_gid = mail
auth_mechanisms = plain login
disable_plaintext_auth = no
auth_verbose = yes
auth_failure_delay = 0
login_trusted_networks =
ssl = ${o.cert ? 'yes' : 'no'}
${o.cert ? `ssl_cert = <${o.cert}\nssl_key = <${o.key}\nssl_dh = </usr/share/dovecot/dh.pem\nssl_min_protocol = TLSv1.2` : ''}
protocol imap {
  mail_max_userip_connections = 50
  imap_idle_notify_interval = 1 secs
}
mail_plugins =
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n ${d}/users
}
userdb {
  driver = passwd-file
  args = username_format=%n ${d}/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${o.imapPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${o.imapsPort ?? 0}
    ${o.imapsPort ? 'ssl = yes' : ''}
  }
  process_min_avail = 1
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${o.lmtpPort}
  }
  unix_listener lmtp {
    mode = 0600
  }
}
service auth {
  inet_listener auth-postfix {
    address = 127.0.0.1
    port = ${o.authPort}
  }
}
service anvil {
  chroot =
}
protocol lmtp {
  postmaster_address = postmaster@example.test
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = create
  }
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
}
`;
}

export function postfixMain(o: {
  dir: string;
  smtpPort: number;
  lmtpPort: number;
  authPort: number;
  domain: string;
  /** Offer STARTTLS with this certificate and key (PEM files). */
  tls?: { cert: string; key: string } | null;
  /** texthash file of the mailboxes (`address ok` per line); without it every address of the domain is accepted. */
  mailboxes?: string | null;
}): string {
  const tls = o.tls
    ? `smtpd_tls_security_level = may
smtpd_tls_cert_file = ${o.tls.cert}
smtpd_tls_key_file = ${o.tls.key}
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2`
    : 'smtpd_tls_security_level = none';
  return `# generated by tests/support/mail-servers.ts
compatibility_level = 3.6
config_directory = ${o.dir}/postfix
queue_directory = ${o.dir}/postfix-spool
data_directory = ${o.dir}/postfix-data
maillog_file = ${o.dir}/postfix.log
maillog_file_prefixes = ${o.dir}
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.${o.domain}
mydomain = ${o.domain}
myorigin = $mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = ${o.domain}
virtual_mailbox_maps = ${o.mailboxes ? `texthash:${o.mailboxes}` : 'static:ok'}
virtual_transport = lmtp:inet:127.0.0.1:${o.lmtpPort}
message_size_limit = 60000000
mailbox_size_limit = 0
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:${o.authPort}
smtpd_sasl_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject_unauth_destination
${tls}
smtp_tls_security_level = none
smtputf8_enable = yes
biff = no
append_dot_mydomain = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
`;
}

export const POSTFIX_MASTER = (smtpPort: number): string => `# generated by tests/support/mail-servers.ts
127.0.0.1:${smtpPort} inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

let t0 = Date.now();
const debug = (what: string): void => {
  if (process.env['MAIL_HARNESS_DEBUG']) console.error(`[mail-servers] +${Date.now() - t0} ms ${what}`);
};

export async function startMailServers(options: MailServersOptions): Promise<MailServers> {
  t0 = Date.now();
  const tls = options.tls ?? true;
  requireBinaries(tls);
  const domain = options.domain ?? 'example.test';
  const mail = systemUser('mail');
  systemUser('postfix');
  const dir = mkdtempSync(join(tmpdir(), 'cw-mail-'));
  chmodSync(dir, 0o755);
  const children = new Set<ChildProcess>();
  let dovecot: ChildProcess | null = null;
  let postfixMaster: ChildProcess | null = null;
  let stopped = false;
  const logs = (): string =>
    `--- dovecot.log ---\n${tail(join(dir, 'dovecot.log'))}\n--- postfix.log ---\n${tail(join(dir, 'postfix.log'))}`;

  try {
    const [imapPort, imapsPort, lmtpPort, authPort, smtpPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const home = (user: string): string => join(dir, 'mail', localPart(user));
    mkdirSync(join(dir, 'mail'), { recursive: true });
    chownSync(join(dir, 'mail'), mail.uid, mail.gid);
    writeFileSync(
      join(dir, 'users'),
      options.users.map((u) => `${localPart(u.user)}:{PLAIN}${u.password}:${mail.uid}:${mail.gid}::${home(u.user)}::\n`).join(''),
      { mode: 0o644 },
    );

    let cert: string | null = null;
    let key: string | null = null;
    let caPem: string | null = null;
    if (tls) {
      cert = join(dir, 'cert.pem');
      key = join(dir, 'key.pem');
      run(
        '/usr/bin/openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost',
          '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
          '-keyout', key, '-out', cert],
        'openssl (self-signed certificate)',
      );
      caPem = readFileSync(cert, 'utf8');
    }

    debug('certificate ready');
    const dovecotConfPath = join(dir, 'dovecot.conf');
    writeFileSync(dovecotConfPath, dovecotConf({ dir, imapPort, imapsPort: tls ? imapsPort : null, lmtpPort, authPort, cert, key }));

    const startDovecot = async (): Promise<void> => {
      const child = spawn('/usr/sbin/dovecot', ['-F', '-c', dovecotConfPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      children.add(child);
      child.once('exit', () => children.delete(child));
      dovecot = child;
      const exited = new Promise<never>((_, reject) =>
        child.once('exit', (code) => reject(new Error(`dovecot exited (${code}): ${stderr}\n${logs()}`))),
      );
      exited.catch(() => undefined);
      await Promise.race([
        Promise.all([
          waitForPort(imapPort, 10_000, 'dovecot IMAP', logs),
          waitForPort(lmtpPort, 10_000, 'dovecot LMTP', logs),
        ]),
        exited,
      ]);
    };
    const stopDovecot = async (): Promise<void> => {
      const child = dovecot;
      dovecot = null;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      // Dovecot's children (imap, lmtp, auth…) leave with the master; wait until the port is free.
      for (let i = 0; i < 100; i++) {
        const busy = await new Promise<boolean>((resolve) => {
          const s = new Socket();
          s.once('connect', () => (s.destroy(), resolve(true)));
          s.once('error', () => resolve(false));
          s.connect(imapPort, '127.0.0.1');
        });
        if (!busy) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    // Postfix: config dir, check (creates the queue folders), then master in the foreground.
    const pfConf = join(dir, 'postfix');
    mkdirSync(pfConf);
    const mailboxes = join(pfConf, 'mailboxes');
    writeFileSync(mailboxes, options.users.map((u) => `${localPart(u.user)}@${domain} ok\n`).join(''), { mode: 0o644 });
    writeFileSync(
      join(pfConf, 'main.cf'),
      postfixMain({ dir, smtpPort, lmtpPort, authPort, domain, tls: cert && key ? { cert, key } : null, mailboxes: options.rejectUnknownRecipients ? mailboxes : null }),
    );
    writeFileSync(join(pfConf, 'master.cf'), POSTFIX_MASTER(smtpPort));
    // Postfix re-reads a config file modified within the current second (300 ms sleeps): backdate them.
    const past = new Date(Date.now() - 60_000);
    for (const f of ['main.cf', 'master.cf', 'mailboxes']) utimesSync(join(pfConf, f), past, past);
    for (const sub of ['postfix-spool', 'postfix-data']) mkdirSync(join(dir, sub));
    chownSync(join(dir, 'postfix-data'), systemUser('postfix').uid, systemUser('postfix').gid);

    const postfixCheck = (): void => {
      run('/usr/sbin/postfix', ['-c', pfConf, 'check'], 'postfix check');
    };

    debug('starting');
    await Promise.all([
      startDovecot().then(() => debug('dovecot up')),
      (async () => {
        postfixCheck();
        debug('postfix checked');
        const child = spawn('/usr/lib/postfix/sbin/master', ['-c', pfConf, '-d'], {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: { ...process.env, MAIL_CONFIG: pfConf },
        });
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        children.add(child);
        child.once('exit', () => children.delete(child));
        postfixMaster = child;
        const exited = new Promise<never>((_, reject) =>
          child.once('exit', (code) => reject(new Error(`postfix master exited (${code}): ${stderr}\n${logs()}`))),
        );
        exited.catch(() => undefined);
        await Promise.race([waitForPort(smtpPort, 10_000, 'postfix smtpd', logs), exited]);
        debug('postfix up');
      })(),
    ]);

    const address = (user: string): string => (user.includes('@') ? user : `${user}@${domain}`);
    const lmtp = nodemailer.createTransport({ host: '127.0.0.1', port: lmtpPort, lmtp: true, secure: false, ignoreTLS: true } as never);

    const servers: MailServers = {
      domain,
      imap: { host: '127.0.0.1', port: imapPort },
      imaps: tls ? { host: '127.0.0.1', port: imapsPort } : null,
      caPem,
      smtp: { host: '127.0.0.1', port: smtpPort, starttls: tls },
      lmtp: { host: '127.0.0.1', port: lmtpPort },
      address,
      async deliver(rawMime, to) {
        const info = (await lmtp.sendMail({ envelope: { from: `sender@${domain}`, to: address(to) }, raw: rawMime })) as {
          rejected?: unknown[];
        };
        if (info.rejected && info.rejected.length > 0) throw new Error(`LMTP rejected delivery to ${address(to)}\n${logs()}`);
      },
      async stopImap() {
        await stopDovecot();
      },
      async startImap() {
        if (dovecot) return;
        await startDovecot();
      },
      async killImapSessions() {
        const master = dovecot as ChildProcess | null;
        if (!master?.pid) return 0;
        const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
        const victims = (ps.stdout ?? '')
          .split('\n')
          .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
          .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === master.pid && /^dovecot\/imap(\s|$)/.test(m[3] ?? ''))
          .map((m) => Number(m[1]));
        for (const pid of victims) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        return victims.length;
      },
      maildir(user) {
        return join(home(user), 'Maildir');
      },
      uidValidity(user, folder = 'INBOX') {
        return readUidValidity(folderDir(join(home(user), 'Maildir'), folder));
      },
      async resetUidValidity(user, folder = 'INBOX') {
        const wasRunning = dovecot !== null;
        const fdir = folderDir(join(home(user), 'Maildir'), folder);
        const before = readUidValidity(fdir);
        await stopDovecot();
        for (const name of readdirSync(fdir)) {
          if (name === 'dovecot-uidlist' || name.startsWith('dovecot.index')) unlinkSync(join(fdir, name));
        }
        // doveadm needs the auth service for the user lookup.
        await startDovecot();
        // Dovecot picks the current time as the new UIDVALIDITY: force it above the old one so a reset
        // within the same second still changes it.
        const target = Math.max((before ?? 0) + 1, Math.floor(Date.now() / 1000) + 1);
        run(
          '/usr/bin/doveadm',
          ['-c', dovecotConfPath, 'mailbox', 'update', '-u', localPart(user), '--uid-validity', String(target), folder],
          'doveadm mailbox update',
        );
        if (!wasRunning) await stopDovecot();
        return { before, after: readUidValidity(fdir) };
      },
      async waitQueueEmpty(timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        const queued = (): number => {
          let n = 0;
          for (const q of ['maildrop', 'incoming', 'active', 'deferred']) {
            const walk = (p: string): void => {
              if (!existsSync(p)) return;
              for (const e of readdirSync(p, { withFileTypes: true })) {
                if (e.isDirectory()) walk(join(p, e.name));
                else n++;
              }
            };
            walk(join(dir, 'postfix-spool', q));
          }
          return n;
        };
        while (queued() > 0) {
          if (Date.now() > deadline) throw new Error(`postfix queue not empty after ${timeoutMs} ms\n${logs()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      logs,
      async stop() {
        if (stopped) return;
        stopped = true;
        lmtp.close();
        const master = postfixMaster;
        postfixMaster = null;
        const waits: Promise<void>[] = [stopDovecot()];
        if (master && master.exitCode === null) {
          waits.push(new Promise<void>((resolve) => master.once('exit', () => resolve())));
          master.kill('SIGTERM');
        }
        const timer = setTimeout(() => {
          for (const c of children) c.kill('SIGKILL');
        }, 5000);
        await Promise.all(waits);
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return servers;
  } catch (error) {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A mail adapter's settings for a user of these servers: plain IMAP on loopback (`tls: 'none'`, which
 * the adapter allows for loopback hosts only), the tests' short time-out; `overrides` win.
 */
export function loopbackMailConfig(servers: MailServers, login: MailUser, overrides: Partial<MailAdapterConfig> = {}): MailAdapterConfig {
  return {
    id: 'mail',
    label: 'Thư công vụ',
    host: '127.0.0.1',
    port: servers.imap.port,
    tls: 'none',
    user: login.user,
    password: login.password,
    timeoutMs: 3000,
    ...overrides,
  };
}

/**
 * A test's own IMAP session as `login` on these servers (plain, loopback), connected; an error event
 * after the test closed it is ignored. The caller logs out.
 */
export async function connectedImap(servers: MailServers, login: MailUser): Promise<ImapFlow> {
  const client = new ImapFlow({ host: '127.0.0.1', port: servers.imap.port, secure: false, doSTARTTLS: false, auth: { user: login.user, pass: login.password }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
