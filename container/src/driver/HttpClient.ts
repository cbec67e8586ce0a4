/**
 * The driver's HTTP client for service problems: talks to the candidate's server on loopback
 * inside the sandbox, with keep-alive and a per-request timeout, and measures each request.
 */
import http from 'node:http';
import net from 'node:net';
import type { HttpClient as SdkHttpClient, HttpRequest, HttpResponse } from '@assay/sdk';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class ServiceHttpClient implements SdkHttpClient {
  readonly baseUrl: string;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    readonly port: number,
    private readonly timeoutMs: number,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const isJson = req.body !== undefined && typeof req.body !== 'string';
    const payload = req.body === undefined ? undefined : isJson ? JSON.stringify(req.body) : String(req.body);
    const headers: Record<string, string> = { ...(isJson ? { 'content-type': 'application/json' } : {}), ...req.headers };
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    return new Promise((resolve, reject) => {
      const r = http.request(
        { host: '127.0.0.1', port: this.port, method: req.method, path: req.path, headers, agent: this.agent, timeout: this.timeoutMs },
        (res) => {
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
        },
      );
      r.on('timeout', () => r.destroy(new Error(`${req.method} ${req.path}: no response within ${this.timeoutMs} ms`)));
      r.on('error', reject);
      r.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
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
