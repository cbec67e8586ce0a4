// RACY: links live in a key-value store with an async API (as Redis would be). Each step is
// right on its own, but the steps are not atomic:
// - a generated code is the base62 of the store's size, read before the new link is saved, so
//   concurrent creates read the same size and get the same code (the last save wins);
// - a custom code is checked with get() and then saved with set(): concurrent requests for one
//   code all see it free;
// - a visit is get() then set(visits + 1): concurrent redirects lose counts.
// One request at a time it behaves exactly like the reference.
import { createServer, type ServerResponse } from 'node:http';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface Link {
  code: string;
  url: string;
  visits: number;
}

/** Stands in for a network round trip to the store: other requests run meanwhile. */
const roundTrip = () => new Promise<void>((r) => setImmediate(r));

class KeyValueStore {
  private readonly rows = new Map<string, string>();
  async get(key: string): Promise<Link | undefined> {
    await roundTrip();
    const raw = this.rows.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as Link);
  }
  async set(key: string, value: Link): Promise<void> {
    await roundTrip();
    this.rows.set(key, JSON.stringify(value));
  }
  async size(): Promise<number> {
    await roundTrip();
    return this.rows.size;
  }
}

const store = new KeyValueStore();

async function generateCode(): Promise<string> {
  let n = (await store.size()) + 1_000_000_000;
  let code = '';
  while (code.length < 7) {
    code = ALPHABET[n % 62] + code;
    n = Math.floor(n / 62);
  }
  while (await store.get(code)) code = code.slice(1) + ALPHABET[Math.floor(Math.random() * 62)];
  return code;
}

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
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const error = (res: ServerResponse, status: number, code: string, message: string) => json(res, status, { error: { code, message } });

async function create(res: ServerResponse, raw: string): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return error(res, 422, 'validation_failed', 'malformed JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return error(res, 422, 'validation_failed', 'expected an object');
  const { url, code } = body as { url?: unknown; code?: unknown };
  if (!validUrl(url)) return error(res, 422, 'validation_failed', 'invalid url');
  if ('code' in body && (typeof code !== 'string' || !/^[0-9A-Za-z]{4,16}$/.test(code)))
    return error(res, 422, 'validation_failed', 'invalid code');
  if (typeof code === 'string' && (await store.get(code))) return error(res, 409, 'code_taken', 'code taken');
  const link: Link = { code: typeof code === 'string' ? code : await generateCode(), url, visits: 0 };
  await store.set(link.code, link);
  json(res, 201, link, { location: `/links/${link.code}` });
}

async function route(method: string, path: string, raw: string, res: ServerResponse): Promise<void> {
  const parts = path.split('/').slice(1);
  if (method === 'POST' && path === '/links') return create(res, raw);
  if (method === 'GET' && parts.length === 2 && parts[0] === 'links') {
    const link = await store.get(parts[1]!);
    return link ? json(res, 200, link) : error(res, 404, 'not_found', 'unknown code');
  }
  if (method === 'GET' && parts.length === 1 && parts[0] !== '') {
    const link = await store.get(parts[0]!);
    if (!link) return error(res, 404, 'not_found', 'unknown code');
    await store.set(link.code, { ...link, visits: link.visits + 1 });
    res.writeHead(302, { location: link.url });
    return void res.end();
  }
  error(res, 404, 'not_found', 'no such route');
}

createServer((req, res) => {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (raw += c));
  req.on('end', () => {
    route(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!, raw, res).catch(() => error(res, 500, 'internal', 'internal error'));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
