/** How the fuzz test talks to the server: node:http for well-formed requests, a raw socket for what no client library would send. */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  /** 0: the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpCase {
  kind: 'http';
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** The status this case must get, where only one is right. */
  expect?: number;
}
export interface RawCase {
  kind: 'raw';
  name: string;
  bytes: Buffer;
  /** Whether Node lets the server answer at all (a parser error in the middle of a body may just close). */
  mayClose?: boolean;
}
export type FuzzCase = HttpCase | RawCase;

const TIMEOUT_MS = 10_000;

export function sendHttp(base: URL, c: HttpCase): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: c.method,
        path: c.path,
        headers: {
          connection: 'close',
          ...(c.body !== undefined ? { 'content-length': String(Buffer.byteLength(c.body)) } : {}),
          ...c.headers,
        },
        agent: false,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
        // A stream that would stay open: its headers are the answer.
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          res.destroy();
          return resolve({ status: res.statusCode ?? 0, headers, body: '' });
        }
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${c.name}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve({ status: 0, headers: {}, body: '' }) : reject(e),
    );
    req.end(c.body);
  });
}

/** Parses a Connection: close answer (Content-Length or read to the end; chunked bodies are decoded). */
function parseRaw(buf: Buffer): Answer {
  let text = buf.toString('latin1');
  // Interim answers (100 Continue) precede the real one.
  while (/^HTTP\/1\.\d 1\d\d /.test(text) && text.indexOf('\r\n\r\n') >= 0) {
    const skip = text.indexOf('\r\n\r\n') + 4;
    text = text.slice(skip);
    buf = buf.subarray(skip);
  }
  const end = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/1.') || end < 0) return { status: 0, headers: {}, body: '' };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = buf.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const nl = body.indexOf('\r\n', at);
      const size = nl < 0 ? 0 : parseInt(body.subarray(at, nl).toString('latin1'), 16);
      if (!size) break;
      parts.push(body.subarray(nl + 2, nl + 2 + size));
      at = nl + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') };
}

export function sendRaw(base: URL, c: RawCase): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(Number(base.port), base.hostname);
    const timer = setTimeout(() => s.destroy(new Error(`${c.name}: no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') resolve(parseRaw(Buffer.concat(chunks)));
      else reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(parseRaw(Buffer.concat(chunks)));
    });
    s.end(c.bytes);
  });
}
