/** Loopback ports for tests. */
import { createServer } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago: nothing listens there (a "connection refused" target, or a port to bind next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
