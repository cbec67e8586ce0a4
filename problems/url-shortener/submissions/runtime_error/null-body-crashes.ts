// CRASHES: the object check forgets that typeof null is 'object', so a body of `null` reaches
// the destructuring of the body, which throws a TypeError outside any handler: the process dies
// (and with it every stored link) instead of answering 422. Otherwise like the reference.
import { createServer, type ServerResponse } from 'node:http';
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CODE_RE = /^[0-9A-Za-z]{4,16}$/;

interface Link {
  code: string;
  url: string;
  visits: number;
}

const links = new Map<string, Link>();

function generateCode(): string {
  for (;;) {
    let code = '';
    for (let i = 0; i < 7; i++) code += ALPHABET[randomInt(62)];
    if (!links.has(code)) return code;
  }
}

/** http(s) URL with a host, printable ASCII without spaces, at most 2048 characters. */
function validUrl(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 2048 || !/^[\x21-\x7e]+$/.test(v)) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { error: { code, message } });
}

function create(res: ServerResponse, raw: string): void {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return error(res, 422, 'validation_failed', 'the body must be a JSON object');
  }
  if (typeof body !== 'object' || Array.isArray(body)) return error(res, 422, 'validation_failed', 'the body must be a JSON object');
  const { url, code } = body as { url?: unknown; code?: unknown }; // throws a TypeError for null
  if (!validUrl(url))
    return error(res, 422, 'validation_failed', 'url must be an absolute http or https URL of at most 2048 printable ASCII characters');
  if ('code' in body! && (typeof code !== 'string' || !CODE_RE.test(code)))
    return error(res, 422, 'validation_failed', 'code must be 4 to 16 characters from 0-9, A-Z, a-z');
  if (typeof code === 'string' && links.has(code)) return error(res, 409, 'code_taken', `the code ${code} is already in use`);
  const link: Link = { code: typeof code === 'string' ? code : generateCode(), url, visits: 0 };
  links.set(link.code, link);
  json(res, 201, link, { location: `/links/${link.code}` });
}

/** URLs are at most 2048 characters; a bigger body is refused unread. */
const MAX_BODY_BYTES = 64 * 1024;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_BODY_BYTES) {
      chunks.push(c);
      return;
    }
    if (!res.headersSent) error(res, 413, 'too_large', 'the body is too large');
    req.destroy();
  });
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0]!;
    const parts = path.split('/').slice(1);
    if (req.method === 'POST' && path === '/links') return create(res, Buffer.concat(chunks).toString('utf8'));
    if (req.method === 'GET' && parts.length === 2 && parts[0] === 'links') {
      const link = links.get(parts[1]!);
      return link ? json(res, 200, link) : error(res, 404, 'not_found', 'no link with this code');
    }
    if (req.method === 'GET' && parts.length === 1) {
      const link = links.get(parts[0]!);
      if (!link) return error(res, 404, 'not_found', 'no link with this code');
      link.visits++;
      res.writeHead(302, { location: link.url, 'content-length': '0' });
      return res.end();
    }
    error(res, 404, 'not_found', 'no such route');
  });
});

server.listen(Number(process.env.PORT), '127.0.0.1');
