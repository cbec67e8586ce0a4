/**
 * Hostile requests for every route of the OpenAPI document and the web pages, drawn from a
 * seeded generator: wrong methods, bad percent-encoding, wrong and missing content types,
 * garbage compressed bodies, NUL characters and lone surrogates in every string field,
 * wrong JSON types, deep nesting, tampered cursors, odd and oversized headers, and requests
 * Node's own parser refuses.
 */
import { gzipSync } from 'node:zlib';
import type { FuzzCase, HttpCase } from './client';

/** mulberry32: small, seeded, good enough to pick cases reproducibly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Route {
  /** An OpenAPI path (`/v1/submissions/{id}`) or a page path. */
  path: string;
  methods: string[];
  /** A valid JSON body for the routes that read one. */
  body?: unknown;
  /** Query parameters the route reads, with a valid value each. */
  query?: Record<string, string>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Path parameter values that are not ids, or not even decodable. */
const BAD_PARAMS = [
  '%',
  '%E0%A4%A',
  '%zz',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%00',
  'a%00b',
  '%F0%9F%98',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  'x'.repeat(3000),
  '%25%',
  '00000000-0000-0000-0000-00000000000g',
  '%F0%9F%98%80',
  'null',
  '-1',
];

/** Cursors a client might forge: not base64, base64 of the wrong shape, of dates PostgreSQL reads otherwise. */
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const SOME_UUID = '3f2b8a1e-8c4f-4b7a-9d2e-1a2b3c4d5e6f';
const BAD_CURSORS = [
  '!!!',
  '%00',
  '%ED%A0%80',
  b64('1|' + SOME_UUID),
  b64('2020|' + SOME_UUID),
  b64('Tue Dec 1 2026|' + SOME_UUID),
  b64('275760-09-13T00:00:00.001Z|' + SOME_UUID),
  b64('2020-01-01T00:00:00.000Z|not-a-uuid'),
  b64('2020-01-01T00:00:00.000Z'),
  b64('\u0000|\u0000'),
  b64('2020-01-01T00:00:00.000Z|' + SOME_UUID + '|extra'),
  'A'.repeat(201),
  b64('-1|' + SOME_UUID),
];

const BAD_QUERY_VALUES = ['', '%00', '%ED%A0%80', '%', 'abc', '-1', '0', '1e309', '101', 'x'.repeat(300), '1&limit=2', 'queued%00'];

const HEADER_SETS: Array<Record<string, string>> = [
  { authorization: 'Bearer' },
  { authorization: 'Bearer a b' },
  { authorization: 'Basic Zm9vOmJhcg==' },
  { authorization: `Bearer ${'k'.repeat(8000)}` },
  { authorization: 'Bearer \xff\xfe\xe9' },
  { 'idempotency-key': ' ' },
  { 'idempotency-key': 'x'.repeat(300) },
  { 'idempotency-key': '\xe9t\xe9' },
  { 'x-request-id': '\xff'.repeat(50) },
  { 'x-forwarded-for': 'not-an-address, ::::, 999.999.999.999' },
  { 'x-forwarded-for': '\xe9\xe9' },
  { 'last-event-id': '1e309' },
  { 'last-event-id': '-99999999999999999999' },
  { accept: '*/*;q=garbage, text/html;;;' },
  { 'accept-encoding': 'gzip;q=2, br, zstd, x'.repeat(100) },
  { 'if-none-match': '"' + 'x'.repeat(2000) },
  { range: 'bytes=999999999-1' },
  { 'if-modified-since': 'not a date' },
  { 'x-huge': 'h'.repeat(20_000) },
  { cookie: 'a=' + '\xff'.repeat(100) },
];

function decodes(s: string): boolean {
  try {
    decodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

function fill(path: string, id: string): string {
  return path.replace(/\{[^}]+\}|:[a-z]+/gi, id);
}

/** Every way to spoil a JSON value: each string leaf with a NUL or a lone surrogate, each leaf of the wrong type. */
function spoiled(value: unknown, at: string[] = []): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const put = (v: unknown): unknown => v;
  if (typeof value === 'string') {
    for (const [what, s] of [
      ['NUL', `${value}\u0000`],
      ['NUL first', `\u0000${value}`],
      ['lone high surrogate', `${value}\ud800`],
      ['lone low surrogate', `\udc00${value}`],
      ['reversed pair', `\udc00\ud800${value}`],
    ] as const)
      out.push([`${at.join('.')} with a ${what}`, put(s)]);
  }
  for (const wrong of [null, 1, -1.5, true, [], {}, 'x'.repeat(2000)])
    out.push([`${at.join('.')} = ${JSON.stringify(wrong).slice(0, 12)}`, wrong]);
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      for (const [name, sub] of spoiled(v, [...at, k]))
        out.push([name, Array.isArray(value) ? value.map((x, i) => (String(i) === k ? sub : x)) : { ...value, [k]: sub }]);
  return out;
}

function deep(n: number): string {
  return '{"files":' + '['.repeat(n) + ']'.repeat(n) + ',"problemId":' + '{"a":'.repeat(n) + '1' + '}'.repeat(n) + '}';
}

export function casesFor(route: Route, auth: Record<string, string>, pick: () => number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const id = SOME_UUID;
  const path = fill(route.path, id);
  const choose = <T>(xs: T[]): T => xs[Math.floor(pick() * xs.length)]!;
  const http = (name: string, c: Omit<HttpCase, 'kind' | 'name'>): void =>
    void out.push({ kind: 'http', name: `${route.path} ${name}`, ...c });
  const main = route.methods[0]!;

  for (const m of METHODS.filter((m) => !route.methods.includes(m) && !(m === 'HEAD' && route.methods.includes('GET'))))
    http(`wrong method ${m}`, { method: m, path, headers: auth, expect: m === 'OPTIONS' ? 204 : 405 });
  if (/\{|:/.test(route.path))
    for (const bad of BAD_PARAMS)
      for (const m of route.methods)
        http(`${m} id=${bad.slice(0, 20)}`, {
          method: m,
          path: fill(route.path, bad),
          headers: auth,
          ...(decodes(bad) ? {} : { expect: 400 }),
        });
  for (const headers of HEADER_SETS)
    http(`${main} with ${Object.keys(headers)[0]}`, { method: main, path, headers: { ...auth, ...headers } });

  for (const [k] of Object.entries(route.query ?? {})) {
    for (const v of k === 'cursor' ? BAD_CURSORS : BAD_QUERY_VALUES)
      http(`?${k}=${v.slice(0, 20)}`, { method: 'GET', path: `${path}?${k}=${v}`, headers: auth });
    http(`?${k}[]`, { method: 'GET', path: `${path}?${k}[]=1&${k}[a]=2`, headers: auth });
  }
  http('unknown query parameter', { method: main, path: `${path}?${choose(['x', '__proto__', 'constructor', '%00'])}=1`, headers: auth });

  if (route.body !== undefined) {
    const json = { ...auth, 'content-type': 'application/json' };
    const valid = JSON.stringify(route.body);
    for (const ct of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json-seq',
      'application/jsonx',
    ])
      http(`content-type ${ct}`, { method: main, path, headers: { ...auth, 'content-type': ct }, body: valid });
    http('no content-type', { method: main, path, headers: auth, body: valid });
    http('charset latin1', { method: main, path, headers: { ...json, 'content-type': 'application/json; charset=latin1' }, body: valid });
    http('charset utf-9', { method: main, path, headers: { ...json, 'content-type': 'application/json; charset=utf-9' }, body: valid });
    const garbage = Buffer.from(Array.from({ length: 64 }, () => Math.floor(pick() * 256)));
    for (const enc of ['gzip', 'deflate', 'br', 'zstd', 'identity, gzip', 'gzip, gzip'])
      http(`garbage ${enc} body`, { method: main, path, headers: { ...json, 'content-encoding': enc }, body: garbage });
    http('truncated gzip body', {
      method: main,
      path,
      headers: { ...json, 'content-encoding': 'gzip' },
      body: gzipSync(valid).subarray(0, 20),
    });
    http('gzip bomb-ish body', {
      method: main,
      path,
      headers: { ...json, 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.alloc(8 * 1024 * 1024, 32)),
    });
    for (const raw of [
      '',
      '{',
      '{"a":}',
      'null',
      '1',
      '"s"',
      '[]',
      'true',
      '{"__proto__":{"x":1}}',
      '\ufeff{}',
      valid.slice(0, -1),
      '\u0000',
      '{"a":"\\ud800"}',
    ])
      http(`body ${JSON.stringify(raw).slice(0, 20)}`, { method: main, path, headers: json, body: raw });
    http('deep nesting', { method: main, path, headers: json, body: deep(50_000) });
    http('raw invalid UTF-8', {
      method: main,
      path,
      headers: json,
      body: Buffer.concat([Buffer.from(valid.slice(0, 20)), Buffer.from([0xed, 0xa0, 0x80, 0xff]), Buffer.from(valid.slice(20))]),
    });
    for (const [name, body] of spoiled(route.body)) http(`body ${name}`, { method: main, path, headers: json, body: JSON.stringify(body) });
  }
  return out;
}

const req = (line: string, headers: string[] = [], body = '') =>
  Buffer.from(`${line}\r\n${[...headers, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`, 'latin1');

/** Requests broken below HTTP's semantics, which Node's parser (or our handlers of its events) must answer. */
export function rawCases(paths: string[]): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (const p of paths) {
    out.push(
      { kind: 'raw', name: `${p} header without colon`, bytes: req(`GET ${p} HTTP/1.1`, ['Host: x', 'Bad Header']) },
      { kind: 'raw', name: `${p} NUL in a header`, bytes: req(`GET ${p} HTTP/1.1`, ['Host: x', 'X-A: a\u0000b']) },
      { kind: 'raw', name: `${p} space in the path`, bytes: req(`GET ${p} x HTTP/1.1`, ['Host: x']) },
      { kind: 'raw', name: `${p} raw bad percent-encoding`, bytes: req(`GET ${p}/%E0%A4%A HTTP/1.1`, ['Host: x']) },
      { kind: 'raw', name: `${p} unknown method`, bytes: req(`FROB ${p} HTTP/1.1`, ['Host: x']) },
      { kind: 'raw', name: `${p} HTTP/9.9`, bytes: req(`GET ${p} HTTP/9.9`, ['Host: x']) },
      { kind: 'raw', name: `${p} content-length abc`, bytes: req(`POST ${p} HTTP/1.1`, ['Host: x', 'Content-Length: abc'], '{}') },
      {
        kind: 'raw',
        name: `${p} two content-lengths`,
        bytes: req(`POST ${p} HTTP/1.1`, ['Host: x', 'Content-Length: 2', 'Content-Length: 3'], '{}'),
      },
      {
        kind: 'raw',
        name: `${p} content-length and chunked`,
        bytes: req(`POST ${p} HTTP/1.1`, ['Host: x', 'Content-Length: 2', 'Transfer-Encoding: chunked'], '{}'),
      },
      {
        kind: 'raw',
        name: `${p} bad chunk`,
        bytes: req(
          `POST ${p} HTTP/1.1`,
          ['Host: x', 'Content-Type: application/json', 'Transfer-Encoding: chunked'],
          'zz\r\n{}\r\n0\r\n\r\n',
        ),
        mayClose: true,
      },
      {
        kind: 'raw',
        name: `${p} short body`,
        bytes: req(`POST ${p} HTTP/1.1`, ['Host: x', 'Content-Type: application/json', 'Content-Length: 100'], '{}'),
        mayClose: true,
      },
      {
        kind: 'raw',
        name: `${p} Expect: teapot`,
        bytes: req(`POST ${p} HTTP/1.1`, ['Host: x', 'Expect: teapot', 'Content-Length: 2', 'Content-Type: application/json'], '{}'),
      },
      {
        kind: 'raw',
        name: `${p} Expect: 100-continue`,
        bytes: req(`POST ${p} HTTP/1.1`, ['Host: x', 'Expect: 100-continue', 'Content-Length: 2', 'Content-Type: application/json'], '{}'),
      },
      { kind: 'raw', name: `${p} oversized request line`, bytes: req(`GET ${p}?q=${'x'.repeat(20_000)} HTTP/1.1`, ['Host: x']) },
      {
        kind: 'raw',
        name: `${p} 300 headers`,
        bytes: req(`GET ${p} HTTP/1.1`, ['Host: x', ...Array.from({ length: 300 }, (_, i) => `X-${i}: ${'v'.repeat(60)}`)]),
      },
      { kind: 'raw', name: `${p} obsolete line folding`, bytes: req(`GET ${p} HTTP/1.1`, ['Host: x', 'X-A: a', ' folded']) },
      { kind: 'raw', name: `${p} bare LF`, bytes: Buffer.from(`GET ${p} HTTP/1.1\nHost: x\nConnection: close\n\n`) },
      { kind: 'raw', name: `${p} HTTP/1.1 without Host`, bytes: req(`GET ${p} HTTP/1.1`) },
      { kind: 'raw', name: `${p} high bytes in the path`, bytes: req(`GET ${p}/\xff\xfe HTTP/1.1`, ['Host: x']) },
    );
  }
  out.push({ kind: 'raw', name: 'not HTTP at all', bytes: Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03') });
  // Node skips blank lines before a request line: with nothing after them there is no request to answer.
  out.push({ kind: 'raw', name: 'blank lines only', bytes: Buffer.from('\r\n\r\n'), mayClose: true });
  return out;
}

const ATOMS = ['\u0000', '\ud800', '\udc00', '%', '/', '..', '?', '#', 'é', '😀', '\u202e', '"', '\\', '\r\n', ' ', 'a', '0', '{', '['];

function randomString(pick: () => number): string {
  let s = '';
  for (let n = Math.floor(pick() * 24); n > 0; n--)
    s += pick() < 0.6 ? ATOMS[Math.floor(pick() * ATOMS.length)] : String.fromCharCode(Math.floor(pick() * 0x10000));
  return s;
}

function randomJson(pick: () => number, depth = 0): unknown {
  const r = pick();
  if (depth > 4 || r < 0.3) return randomString(pick);
  if (r < 0.4) return [null, true, false, 0, -1, 1e308, 2 ** 53 + 1][Math.floor(pick() * 7)];
  if (r < 0.7) return Array.from({ length: Math.floor(pick() * 4) }, () => randomJson(pick, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(pick() * 4) }, () => [randomString(pick), randomJson(pick, depth + 1)]));
}

/** Leaves of `value`, as paths. */
function leaves(value: unknown, at: string[] = []): string[][] {
  if (!value || typeof value !== 'object') return [at];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, k]));
}

function setAt(value: unknown, at: string[], to: unknown): unknown {
  if (!at.length) return to;
  const [k, ...rest] = at;
  if (Array.isArray(value)) return value.map((x, i) => (String(i) === k ? setAt(x, rest, to) : x));
  const o = value as Record<string, unknown>;
  return { ...o, [k!]: setAt(o[k!], rest, to) };
}

/** Every byte of the UTF-8 form percent-encoded (encodeURIComponent throws on a lone surrogate). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');

/** `n` requests drawn at random for a route: random bytes in its path, random values in its query and body. */
export function randomCases(route: Route, auth: Record<string, string>, pick: () => number, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const hex = () =>
    '%' +
    Math.floor(pick() * 256)
      .toString(16)
      .padStart(2, '0');
  for (let i = 0; i < n; i++) {
    const param = Array.from({ length: 1 + Math.floor(pick() * 12) }, () => (pick() < 0.5 ? hex() : pct(randomString(pick)))).join('');
    const path = route.path.replace(/\{[^}]+\}|:[a-z]+/gi, param || '%');
    const q = `${pct(randomString(pick))}=${pct(randomString(pick))}`;
    const method = route.methods[Math.floor(pick() * route.methods.length)]!;
    const body =
      route.body !== undefined && method !== 'GET'
        ? JSON.stringify(
            pick() < 0.2
              ? randomJson(pick)
              : setAt(route.body, leaves(route.body)[Math.floor(pick() * leaves(route.body).length)]!, randomJson(pick)),
          )
        : undefined;
    out.push({
      kind: 'http',
      name: `${route.path} random #${i}`,
      method,
      path: `${path}?${q}`,
      headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
  }
  return out;
}
