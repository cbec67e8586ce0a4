/**
 * The driver's HTTP client for service problems: talks to the candidate's server on loopback
 * inside the sandbox, with keep-alive and a per-request timeout, and measures each request.
 * The reference server's client sends the same requests over connections the driver makes
 * itself (ReferenceLink), as the reference listens on nothing.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { HttpClient as SdkHttpClient, HttpRequest, HttpResponse } from '@assay/sdk';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const AGENT_OPTIONS: http.AgentOptions = { keepAlive: true, maxSockets: 256 };
const STALE_RETRIES = 2;

/** The server closed a kept-alive connection as we sent a request on it. */
class StaleConnectionError extends Error {
  override readonly name = 'StaleConnectionError';
}

/** Opens a connection to the server instead of dialling its port. */
export type Connector = () => Promise<net.Socket>;

/** Keep-alive as usual, but every new connection comes from the connector. */
class ConnectorAgent extends http.Agent {
  constructor(private readonly connector: Connector) {
    super(AGENT_OPTIONS);
  }

  override createConnection(_options: unknown, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    this.connector().then(
      (socket) => callback?.(null, socket),
      (e: unknown) => callback?.(e instanceof Error ? e : new Error(String(e)), undefined as unknown as Duplex),
    );
    return undefined;
  }
}

export class ServiceHttpClient implements SdkHttpClient {
  readonly baseUrl: string;
  private readonly agent: http.Agent;

  /** With `connector`, requests still name 127.0.0.1:`port` (so both servers see the same bytes) but go where it connects. */
  constructor(
    readonly port: number,
    private readonly timeoutMs: number,
    connector?: Connector,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.agent = connector ? new ConnectorAgent(connector) : new http.Agent(AGENT_OPTIONS);
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const isJson = req.body !== undefined && typeof req.body !== 'string';
    const payload = req.body === undefined ? undefined : isJson ? JSON.stringify(req.body) : String(req.body);
    const headers: Record<string, string> = { ...(isJson ? { 'content-type': 'application/json' } : {}), ...req.headers };
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    const options: http.RequestOptions = {
      host: '127.0.0.1',
      port: this.port,
      method: req.method,
      path: req.path,
      headers,
      agent: this.agent,
      timeout: this.timeoutMs,
    };
    return this.send(options, req, payload, STALE_RETRIES);
  }

  /**
   * A server paused while its idle keep-alive connections timed out closes them all as soon as it
   * runs again, racing our next requests on them: such a request never reached it, so it goes
   * again, on a new connection (the other idle ones are just as stale).
   */
  private async send(options: http.RequestOptions, req: HttpRequest, payload: string | undefined, retries: number): Promise<HttpResponse> {
    try {
      return await this.exchange(options, req, payload);
    } catch (e) {
      if (!(e instanceof StaleConnectionError) || retries === 0) throw e;
      for (const idle of Object.values(this.agent.freeSockets)) for (const socket of idle ?? []) socket.destroy();
      return this.send(options, req, payload, retries - 1);
    }
  }

  private exchange(options: http.RequestOptions, req: HttpRequest, payload: string | undefined): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const r = http.request(options, (res) => {
        answered = true;
        readResponse(res).then(resolve, reject);
      });
      r.on('timeout', () => r.destroy(new Error(`${req.method} ${req.path}: no response within ${this.timeoutMs} ms`)));
      r.on('error', (e: NodeJS.ErrnoException) => {
        const stale = r.reusedSocket && !answered && e.code === 'ECONNRESET';
        reject(stale ? new StaleConnectionError(e.message) : e);
      });
      r.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The body (at most MAX_BODY_BYTES), parsed as JSON when the response says it is. */
function readResponse(res: http.IncomingMessage): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) res.destroy(new Error(`response body larger than ${MAX_BODY_BYTES} bytes`));
      else chunks.push(c);
    });
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const type = String(res.headers['content-type'] ?? '');
      let body: unknown = text;
      if (type.includes('json') && text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
      resolve({ status: res.statusCode ?? 0, headers: flat, body, text });
    });
  });
}

/** Resolves true once something accepts connections on the port, false after `timeoutMs`. */
export async function waitForListening(port: number, timeoutMs: number, stillAlive: () => boolean): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && stillAlive()) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
