/**
 * A TCP proxy in front of the test Postfix (plain SMTP only) that can misbehave like a network:
 *   - 'pass':           relay both ways;
 *   - 'cut-in-data':    drop both connections once `cutAfterBytes` of the message have gone through
 *                       after the server's 354 (the end of the message never reaches the server);
 *   - 'lose-final-reply': relay the whole message with its final dot, then drop both connections
 *                       instead of relaying the server's answer (the server has accepted the mail,
 *                       the client never hears it: the "lost 250");
 * and can be stopped (connection refused) and started again on the same port.
 */
import { createServer, Socket, type Server } from 'node:net';

export type SmtpProxyMode = 'pass' | 'cut-in-data' | 'lose-final-reply';

export class SmtpProxy {
  mode: SmtpProxyMode = 'pass';
  /** cut-in-data: message bytes relayed before the cut. */
  cutAfterBytes = 64 * 1024;
  /** Sessions cut or whose final reply was dropped. */
  faults = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<number> {
    if (this.server) return this.port;
    const server = createServer((client) => this.session(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
    return this.port;
  }

  /** Refuse connections from now on (and drop the open ones). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private session(client: Socket): void {
    const upstream = new Socket();
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    let inData = false;
    let dataBytes = 0;
    let dotSent = false;
    let tail = '';
    upstream.connect(this.target.port, this.target.host);
    client.on('data', (chunk: Buffer) => {
      if (inData && !dotSent) {
        if (this.mode === 'cut-in-data' && dataBytes + chunk.length >= this.cutAfterBytes) {
          this.faults += 1;
          drop();
          return;
        }
        dataBytes += chunk.length;
        const seen = tail + chunk.toString('latin1');
        if (seen.includes('\r\n.\r\n')) dotSent = true;
        tail = seen.slice(-4);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (dotSent && this.mode === 'lose-final-reply') {
        this.faults += 1;
        drop();
        return;
      }
      if (!inData && /^354[ -]/m.test(text)) inData = true;
      if (dotSent) {
        // The final reply went through: a next message on this session starts over.
        inData = false;
        dotSent = false;
        dataBytes = 0;
        tail = '';
      }
      client.write(chunk);
    });
  }
}
