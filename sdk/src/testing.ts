/** Helpers for the SDK's own unit tests (never imported by suites or the driver). */
import http from 'node:http';
import type { FakeContext } from './context';
import type { HttpClient, HttpResponse } from './http';
import { mulberry32, rngFrom } from './random';
import type { RemoteObject, Subject } from './remote';

/** A test context with a seeded rng and real (or given) sleep, as the driver builds one. */
export function fakeContext(seed: number, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): FakeContext {
  return { rng: rngFrom(mulberry32(seed)), sleep };
}

/** What the driver's handle rejects with when candidate code throws. */
export function remoteError(name: string, message: string): Error {
  return Object.assign(new Error(message), { remote: true as const, remoteName: name });
}

/** A `RemoteObject` over a local object, recording every call; its throws become remote errors. */
export function localRemote(target: object): RemoteObject & { log: string[] } {
  const log: string[] = [];
  const run = async (f: () => unknown) => {
    try {
      return await f();
    } catch (e) {
      throw remoteError((e as Error).name, (e as Error).message);
    }
  };
  return {
    log,
    call(method, ...args) {
      log.push(`call ${method}`);
      return run(() => (target as Record<string, (...a: unknown[]) => unknown>)[method]!(...args));
    },
    prop(name) {
      log.push(`prop ${name}`);
      return run(() => (target as Record<string, unknown>)[name]);
    },
  };
}

/** A `Subject` whose classes and functions are local. */
export function localSubject(exports: Record<string, unknown>): Subject & { args: unknown[][] } {
  const args: unknown[][] = [];
  return {
    args,
    async construct(className, ...a) {
      args.push(a);
      const C = exports[className] as new (...x: unknown[]) => object;
      return localRemote(new C(...a));
    },
    async call(fn, ...a) {
      args.push(a);
      return (exports[fn] as (...x: unknown[]) => unknown)(...a);
    },
  };
}

/** A minimal `HttpClient` over node:http, standing in for the driver's (which lives in the container). */
export function loopbackClient(port: number): HttpClient {
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    request: (req) =>
      new Promise<HttpResponse>((resolve, reject) => {
        const json = req.body !== undefined && typeof req.body !== 'string';
        const payload = req.body === undefined ? undefined : json ? JSON.stringify(req.body) : String(req.body);
        const headers = { ...(json ? { 'content-type': 'application/json' } : {}), ...req.headers };
        const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            if (String(res.headers['content-type']).includes('json') && text)
              try {
                body = JSON.parse(text);
              } catch {
                body = text;
              }
            const flat = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
            resolve({ status: res.statusCode ?? 0, headers: flat, body, text });
          });
        });
        r.on('error', reject);
        r.end(payload);
      }),
  };
}
