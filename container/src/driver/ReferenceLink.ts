/**
 * The driver's only way to the reference server, which listens on nothing. Each connection is
 * made by the driver with both ends in this process: a loopback listener on a port the kernel
 * picks, alive for that one connection, accepts it; the accepted end must be our own client's
 * (same port pair) or it is dropped; the server end then goes to the reference over its IPC
 * channel. No candidate process can reach the reference (nothing of it listens), and it is
 * measured over the same loopback TCP as the candidate's server.
 */
import net from 'node:net';
import { REFERENCE_CONNECTION, UIDS } from '../wire/payload';
import { ServiceHttpClient } from './HttpClient';
import { tcpSockets } from './procfs';

const CONNECT_TIMEOUT_MS = 5000;

/** Someone else is connected to the reference, or it made a socket of its own. */
export class ReferenceExposedError extends Error {
  override readonly name = 'ReferenceExposedError';
}

export class ReferenceLink {
  /** Our server-end ports, and `local:remote` of both ends of every connection still open. */
  private readonly serverPorts = new Set<number>();
  private readonly pairs = new Set<string>();

  constructor(private readonly handOver: (socket: net.Socket) => Promise<void>) {}

  /**
   * The reference server's HTTP client (requests naming 127.0.0.1:`port`, as the candidate's do).
   * One request first shows that the server takes the connections it is handed; then the socket
   * table must show nothing else reaching it.
   */
  async client(port: number, timeoutMs: number): Promise<ServiceHttpClient> {
    const http = new ServiceHttpClient(port, timeoutMs, () => this.connect());
    try {
      await http.request({ method: 'GET', path: '/' });
      this.verify();
      return http;
    } catch (e) {
      http.close();
      throw new Error(
        `the reference server does not serve the connections the driver hands it (process.on('message') with '${REFERENCE_CONNECTION}'): ${String(e)}`,
      );
    }
  }

  /** A new connection to the reference: the client end, for the HTTP agent. */
  async connect(): Promise<net.Socket> {
    const listener = net.createServer({ pauseOnConnect: true });
    try {
      const port = await listenOnLoopback(listener);
      const client = net.connect({ host: '127.0.0.1', port });
      const server = await acceptOwn(listener, client);
      listener.close();
      this.track(client, server);
      await this.handOver(server).catch((e: unknown) => {
        client.destroy();
        server.destroy();
        throw e;
      });
      return client;
    } finally {
      listener.close();
    }
  }

  private track(client: net.Socket, server: net.Socket): void {
    const [c, s] = [client.localPort!, server.localPort!];
    const keys = [`${c}:${s}`, `${s}:${c}`];
    this.serverPorts.add(s);
    for (const k of keys) this.pairs.add(k);
    client.once('close', () => {
      this.serverPorts.delete(s);
      for (const k of keys) this.pairs.delete(k);
    });
  }

  /**
   * Checks the kernel's socket table: the reference owns no TCP socket of its own (it listens on
   * nothing; the sockets it serves were made by the driver), and every socket connected to one
   * of our server ends is our own client end.
   */
  verify(): void {
    for (const s of tcpSockets()) {
      if (s.uid === UIDS.reference) throw new ReferenceExposedError('the reference solution has a TCP socket of its own');
      if (this.serverPorts.has(s.remotePort) && !(s.uid === 0 && this.pairs.has(`${s.localPort}:${s.remotePort}`)))
        throw new ReferenceExposedError(`a socket of uid ${s.uid} is connected to the reference solution`);
    }
  }
}

function listenOnLoopback(listener: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve((listener.address() as net.AddressInfo).port));
  });
}

/** The accepted end of `client`'s connection; anything else the listener accepts is dropped. */
function acceptOwn(listener: net.Server, client: net.Socket): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const accepted: net.Socket[] = [];
    let connected = false;
    const timer = setTimeout(() => fail(new Error(`no connection to the reference within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    const settle = () => {
      if (!connected) return;
      for (const s of accepted.splice(0)) {
        if (s.remotePort === client.localPort && s.remoteAddress === client.localAddress) {
          clearTimeout(timer);
          client.off('error', fail);
          resolve(s);
        } else s.destroy();
      }
    };
    const fail = (e: Error) => {
      clearTimeout(timer);
      for (const s of accepted) s.destroy();
      client.destroy();
      reject(e);
    };
    listener.on('connection', (s: net.Socket) => {
      accepted.push(s);
      settle();
    });
    client.once('error', fail);
    client.once('connect', () => {
      connected = true;
      settle();
    });
  });
}
