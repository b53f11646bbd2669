/**
 * Certificates for the test-connection tests, generated with the real `openssl` into a temp folder:
 * a self-signed server certificate, a private CA with a valid leaf and an expired leaf (all for
 * 127.0.0.1 / localhost), and an HTTPS server on 127.0.0.1 that serves them (optionally proxying to
 * the training sandbox, so the whole walk runs through TLS against the real API).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFixtures {
  dir: string;
  selfSigned: { key: string; cert: string };
  caPem: string;
  leaf: { key: string; cert: string };
  expired: { key: string; cert: string };
  cleanup(): void;
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

export function makeTlsFixtures(): TlsFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'cw-tls-'));
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=CA thu nghiem UBND/O=Commune Workstation tests']);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '5', '-extfile', 'ext.cnf']);
  // `openssl ca` is the one 3.0 tool that sets past validity dates.
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db', 'index.txt'), '');
  writeFileSync(join(dir, 'db', 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    ['[ ca ]', 'default_ca = cw', '[ cw ]', 'dir = .', 'database = ./db/index.txt', 'serial = ./db/serial', 'new_certs_dir = ./db', 'default_md = sha256',
      'policy = anything', '[ anything ]', 'commonName = supplied', '[ ext ]', 'subjectAltName = IP:127.0.0.1,DNS:localhost', ''].join('\n'),
  );
  openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'leaf.csr', '-out', 'expired.pem',
    '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extensions', 'ext']);
  return {
    dir,
    selfSigned: { key: read('self.key'), cert: read('self.pem') },
    caPem: read('ca.pem'),
    leaf: { key: read('leaf.key'), cert: read('leaf.pem') },
    expired: { key: read('leaf.key'), cert: read('expired.pem') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An HTTPS server on 127.0.0.1; proxies every request to `upstream` (http URL) when given, else answers 200 "ok". */
export async function startHttpsServer(cert: { key: string; cert: string }, upstream?: string): Promise<{ url: string; port: number; server: Server }> {
  const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    if (!upstream) {
      res.end('ok');
      return;
    }
    const target = new URL(req.url ?? '/', upstream);
    const proxied = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    proxied.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(proxied);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `https://127.0.0.1:${port}`, port, server };
}
