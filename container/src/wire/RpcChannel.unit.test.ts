/**
 * RpcChannel over a real Unix socket pair: calls in flight both ways, errors as values, and
 * what the checked side does with lines that break the protocol. "Raw" writes go straight onto
 * a socket, as candidate code can write onto the subject's fd 3.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Encoded, WireError } from './codec';
import type { DriverOps, SubjectOps } from './ops';
import { type ChannelLimits, type Handlers, type PeerChecks, ProtocolError, RpcChannel, TRUSTED_PEER } from './RpcChannel';

/** Served by the trusting side (like the subject). */
type Worker = {
  double: { body: { n: number; viaPeer: boolean }; value: number };
  fail: { body: { how: 'error' | 'string' | 'sync' }; value: null };
  never: { body: Record<string, never>; value: null };
  text: { body: { length: number }; value: string };
};
/** Served by the checking side (like the driver). */
type Boss = {
  add: { body: { a: number; b: number }; value: number };
  hang: { body: Record<string, never>; value: null };
};

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isWireError = (x: unknown): x is WireError => isRecord(x) && typeof x.name === 'string' && typeof x.message === 'string';
const bossChecks: PeerChecks<Boss, Worker> = {
  requests: {
    add: (x): x is Boss['add']['body'] => isRecord(x) && typeof x.a === 'number' && typeof x.b === 'number',
    hang: (x): x is Boss['hang']['body'] => isRecord(x),
  },
  answers: {
    double: (x): x is number => typeof x === 'number',
    fail: (x): x is null => x === null,
    never: (x): x is null => x === null,
    text: (x): x is string => typeof x === 'string',
  },
  error: isWireError,
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const dir = mkdtempSync(join(tmpdir(), 'assay-rpc-'));
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 's'), resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const a = net.connect(join(dir, 's'));
  await new Promise((resolve) => a.once('connect', resolve));
  const b = await accepted;
  server.close();
  cleanups.push(() => {
    a.destroy();
    b.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return [a, b];
}

/** Lines written to `socket` by the other end, as parsed JSON. */
function lines(socket: net.Socket): unknown[] {
  const seen: unknown[] = [];
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      seen.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
    }
  });
  return seen;
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(2);
  }
}

/** A trusting worker on one socket and a checking boss on the other. */
async function pair(limits: Partial<ChannelLimits> = {}) {
  const [ws, bs] = await socketPair();
  let inFlight = 0;
  let maxInFlight = 0;
  const workerHandlers: Handlers<Worker> = {
    double: async ({ n, viaPeer }) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(Math.random() * 5);
      try {
        if (!viaPeer) return 2 * n;
        const sum = await worker.request('add', { a: n, b: n });
        return sum.ok ? sum.value : -1;
      } finally {
        inFlight--;
      }
    },
    fail: ({ how }) => {
      if (how === 'sync') throw new RangeError('thrown before any await');
      return how === 'error' ? Promise.reject(new RangeError('nope')) : Promise.reject('a plain string');
    },
    never: () => new Promise(() => {}),
    text: async ({ length }) => 'é'.repeat(length),
  };
  const worker: RpcChannel<Worker, Boss> = new RpcChannel(ws, workerHandlers, TRUSTED_PEER);
  const boss = new RpcChannel<Boss, Worker>(
    bs,
    {
      add: async ({ a, b }) => {
        await sleep(Math.random() * 5);
        return a + b;
      },
      hang: () => new Promise(() => {}),
    },
    bossChecks,
    limits,
  );
  return { worker, boss, ws, bs, maxInFlight: () => maxInFlight };
}

describe('calls', () => {
  it('many calls in flight both ways, each answered to its caller', async () => {
    const { worker, boss, maxInFlight } = await pair();
    const down = Array.from({ length: 200 }, (_, i) => boss.request('double', { n: i, viaPeer: i % 2 === 0 }));
    const up = Array.from({ length: 100 }, (_, i) => worker.request('add', { a: i, b: 1000 }));
    expect(await Promise.all(down)).toEqual(Array.from({ length: 200 }, (_, i) => ({ ok: true, value: 2 * i })));
    expect(await Promise.all(up)).toEqual(Array.from({ length: 100 }, (_, i) => ({ ok: true, value: i + 1000 })));
    expect(maxInFlight()).toBeGreaterThan(10);
  });

  it('errors are values and the channel stays open', async () => {
    const { boss } = await pair();
    const thrown = await boss.request('fail', { how: 'error' });
    expect(thrown).toMatchObject({ ok: false, error: { name: 'RangeError', message: 'nope' } });
    expect(await boss.request('fail', { how: 'string' })).toMatchObject({
      ok: false,
      error: { name: 'Error', message: 'non-error thrown: a plain string' },
    });
    expect(await boss.request('fail', { how: 'sync' })).toMatchObject({ ok: false, error: { name: 'RangeError' } });
    expect(await boss.request('double', { n: 2, viaPeer: false })).toEqual({ ok: true, value: 4 });
    expect(boss.closed).toBe(false);
  });

  it('multi-megabyte values cross intact', async () => {
    const { boss } = await pair();
    const answer = await boss.request('text', { length: 3_000_000 });
    expect(answer.ok && answer.value.length === 3_000_000 && answer.value === 'é'.repeat(3_000_000)).toBe(true);
  });

  it('an answer and a request in the same chunk: the caller resumes before the request is served', async () => {
    const [ws, raw] = await socketPair();
    const order: string[] = [];
    const worker = new RpcChannel<Worker, Boss>(
      ws,
      {
        double: async ({ n }) => {
          order.push('served');
          return 2 * n;
        },
        fail: async () => null,
        never: async () => null,
        text: async () => '',
      },
      TRUSTED_PEER,
    );
    const seen = lines(raw);
    const asked = worker.request('add', { a: 1, b: 2 }).then(() => order.push('resumed'));
    await until(() => seen.length === 1);
    raw.write('{"t":"res","id":1,"ok":true,"value":3}\n{"t":"req","id":7,"op":"double","n":1,"viaPeer":false}\n');
    await asked;
    await until(() => seen.length === 2);
    expect(order).toEqual(['resumed', 'served']);
    expect(seen[1]).toEqual({ t: 'res', id: 7, ok: true, value: 2 });
  });
});

describe('requests the checked side refuses', () => {
  it.each<[string, string, string]>([
    ['an op it does not serve', '{"t":"req","id":1,"op":"double","n":1}', 'unsupported op double'],
    ["an op named like Object.prototype's toString", '{"t":"req","id":1,"op":"toString"}', 'unsupported op toString'],
    ['an op named __proto__', '{"t":"req","id":1,"op":"__proto__"}', 'unsupported op __proto__'],
    ['a body of the wrong shape', '{"t":"req","id":1,"op":"add","a":"1","b":2}', 'malformed add request'],
    ['a body missing a field', '{"t":"req","id":1,"op":"add","a":1}', 'malformed add request'],
  ])('%s is answered with an error, and the channel stays open', async (_, line, message) => {
    const { boss, ws } = await pair();
    // Read what the boss answers on the worker's socket, bypassing the worker's channel.
    ws.removeAllListeners('data');
    const seen = lines(ws);
    ws.write(`${line}\n`);
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ t: 'res', id: 1, ok: false, error: { message } });
    expect(boss.closed).toBe(false);
  });
});

describe('lines that break the protocol close the channel and fail pending calls', () => {
  it.each<[string, string, string]>([
    ['not JSON', 'not json', 'protocol corrupted: a line is not JSON'],
    ['JSON null', 'null', 'protocol corrupted: unknown message'],
    ['a number', '5', 'protocol corrupted: unknown message'],
    ['an array', '[1]', 'protocol corrupted: unknown message'],
    ['an unknown type', '{"t":"hello","id":1}', 'protocol corrupted: unknown message'],
    ['an answer without an id', '{"t":"res","ok":true,"value":2}', 'protocol corrupted: unknown message'],
    ['a request without an op', '{"t":"req","id":1}', 'protocol corrupted: unknown message'],
    [
      'an answer whose value fails the check',
      '{"t":"res","id":1,"ok":true,"value":"2"}',
      'protocol corrupted: a malformed answer to double',
    ],
    ['an answer without ok', '{"t":"res","id":1,"value":2}', 'protocol corrupted: a malformed answer to double'],
    ['a failed answer without an error', '{"t":"res","id":1,"ok":false}', 'protocol corrupted: a malformed answer to double'],
    [
      'a failed answer whose error is malformed',
      '{"t":"res","id":1,"ok":false,"error":{"name":5}}',
      'protocol corrupted: a malformed answer to double',
    ],
  ])('%s', async (_, line, reason) => {
    const { boss, worker, ws } = await pair();
    const closedWith: Error[] = [];
    boss.onClose((e) => closedWith.push(e));
    const pending = [boss.request('double', { n: 1, viaPeer: false }), boss.request('never', {})];
    // The worker's own answer to call 1 must not get there first: take its socket over.
    ws.removeAllListeners('data');
    ws.write(`${line}\n`);
    for (const p of pending) await expect(p).rejects.toThrow(reason);
    expect(boss.closed).toBe(true);
    expect(closedWith.map((e) => e.message)).toEqual([reason]);
    await expect(boss.request('double', { n: 1, viaPeer: false })).rejects.toThrow(reason);
    // The peer sees its end close and fails its own calls too.
    await until(() => worker.closed);
  });

  it('the other side closing fails pending calls', async () => {
    const { boss, worker } = await pair();
    const pending = boss.request('never', {});
    worker.close(new Error('worker going away'));
    await expect(pending).rejects.toThrow(/channel closed|ECONNRESET/);
    expect(boss.closed).toBe(true);
  });

  it('a late answer to an unknown call is ignored', async () => {
    const { boss, ws } = await pair();
    ws.write('{"t":"res","id":999,"ok":true,"value":"anything"}\n');
    expect(await boss.request('double', { n: 3, viaPeer: false })).toEqual({ ok: true, value: 6 });
    expect(boss.closed).toBe(false);
  });
});

describe('line length cap', () => {
  const cap = 1000;
  /** A late answer (ignored) padded to exactly `length` characters. */
  const lineOf = (length: number) => {
    const head = '{"t":"res","id":999,"ok":true,"value":"';
    return `${head}${'x'.repeat(length - head.length - 2)}"}`;
  };

  it('a line at the cap is accepted; many short lines in one chunk are fine', async () => {
    const { boss, ws } = await pair({ maxLineBytes: cap });
    expect(lineOf(cap)).toHaveLength(cap);
    ws.write(`${lineOf(cap)}\n${`${lineOf(100)}\n`.repeat(50)}`);
    expect(await boss.request('double', { n: 3, viaPeer: false })).toEqual({ ok: true, value: 6 });
    expect(boss.closed).toBe(false);
  });

  it('a complete line over the cap closes the channel', async () => {
    const { boss, ws } = await pair({ maxLineBytes: cap });
    const pending = boss.request('never', {});
    ws.write(`${lineOf(cap + 1)}\n`);
    await expect(pending).rejects.toThrow('protocol line too long');
  });

  it('an unfinished line over the cap closes the channel before its end arrives', async () => {
    const { boss, ws } = await pair({ maxLineBytes: cap });
    const pending = boss.request('never', {});
    for (let i = 0; i < 30; i++) ws.write('x'.repeat(50));
    await expect(pending).rejects.toThrow('protocol line too long');
  });
});

describe('line length cap, in bytes', () => {
  it('counts UTF-8 bytes, not characters', async () => {
    const { boss, ws } = await pair({ maxLineBytes: 1000 });
    const pending = boss.request('never', {});
    // 600 characters, 1200 bytes: under a cap in characters, over the cap in bytes.
    ws.write(`{"t":"res","id":999,"ok":true,"value":"${'é'.repeat(600)}"}\n`);
    await expect(pending).rejects.toThrow('protocol line too long');
  });

  it('a multi-byte character split across chunks arrives whole', async () => {
    const { boss, ws } = await pair();
    const text = `{"t":"req","id":1,"op":"add","a":1,"b":2,"pad":"${'é'.repeat(10)}"}\n`;
    const bytes = Buffer.from(text);
    ws.removeAllListeners('data');
    const seen = lines(ws);
    ws.write(bytes.subarray(0, 50)); // cuts an é in two
    await sleep(20);
    ws.write(bytes.subarray(50));
    await until(() => seen.length === 1);
    expect(seen[0]).toEqual({ t: 'res', id: 1, ok: true, value: 3 });
    expect(boss.closed).toBe(false);
  });
});

describe('lines refused before they are parsed', () => {
  it.each<[string, string, string]>([
    ['a million nested brackets', `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`, 'protocol corrupted: a line nests too deeply'],
    ['deeply nested objects', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, 'protocol corrupted: a line nests too deeply'],
    ['a flat list of a million empty objects', `[${'{},'.repeat(1_000_000)}{}]`, 'protocol corrupted: a line holds too many values'],
  ])('%s', async (_, line, reason) => {
    const { boss, ws } = await pair({ maxLineBytes: 8 * 1024 * 1024, maxContainers: 10_000 });
    const pending = boss.request('never', {});
    ws.removeAllListeners('data');
    ws.write(`${line}\n`);
    await expect(pending).rejects.toThrow(reason);
    await expect(pending).rejects.toBeInstanceOf(ProtocolError);
  });

  it('brackets inside strings do not count, escaped quotes included', async () => {
    const { boss, ws } = await pair({ maxNesting: 4 });
    ws.write(`{"t":"res","id":999,"ok":true,"value":"${'[{'.repeat(1000)}\\"${'[['.repeat(1000)}\\\\"}\n`);
    expect(await boss.request('double', { n: 3, viaPeer: false })).toEqual({ ok: true, value: 6 });
    expect(boss.closed).toBe(false);
  });

  it('a check that throws closes the channel instead of escaping the stream event', async () => {
    const [bs, raw] = await socketPair();
    const throwing: PeerChecks<Boss, Worker> = {
      ...bossChecks,
      answers: {
        ...bossChecks.answers,
        double: (_x): _x is number => {
          throw new Error('a bug in a check');
        },
      },
    };
    const boss = new RpcChannel<Boss, Worker>(bs, { add: async () => 0, hang: () => new Promise(() => {}) }, throwing);
    const pending = boss.request('double', { n: 1, viaPeer: false });
    raw.write('{"t":"res","id":1,"ok":true,"value":2}\n');
    await expect(pending).rejects.toThrow('protocol corrupted: a bug in a check');
  });
});

describe('a peer that floods or never reads', () => {
  const request = (id: number) => `{"t":"req","id":${id},"op":"add","a":1,"b":${id}}\n`;

  it('requests past the in-flight limit close the channel', async () => {
    const { boss, ws } = await pair({ maxInFlight: 50 });
    const pending = boss.request('never', {});
    ws.removeAllListeners('data');
    ws.write(Array.from({ length: 51 }, (_, i) => `{"t":"req","id":${i + 1},"op":"hang"}\n`).join(''));
    await expect(pending).rejects.toThrow('protocol: too many requests in flight');
  });

  it('so do requests whose lines add up past the in-flight byte limit', async () => {
    const { boss, ws } = await pair({ maxInFlightBytes: 10_000 });
    const pending = boss.request('never', {});
    ws.removeAllListeners('data');
    const pad = 'x'.repeat(1000);
    ws.write(Array.from({ length: 11 }, (_, i) => `{"t":"req","id":${i + 1},"op":"hang","pad":"${pad}"}\n`).join(''));
    await expect(pending).rejects.toThrow('protocol: too many requests in flight');
  });

  it('a peer that never reads its answers makes the checking side stop reading, not buffer them', async () => {
    const pauseAt = 64 * 1024;
    const { boss, ws, bs } = await pair({ writeBuffer: { pauseAt, max: 16 * 1024 * 1024 } });
    ws.removeAllListeners('data');
    ws.pause(); // the flooding side reads nothing
    // 200k requests (about 8 MB), written as fast as the socket takes them.
    const flood = Array.from({ length: 200_000 }, (_, i) => request(i + 1)).join('');
    ws.write(flood);
    await sleep(500);
    expect(boss.closed).toBe(false);
    // What the boss holds stays near the pause mark: a chunk's answers past it at most.
    expect(bs.writableLength).toBeLessThan(pauseAt + 1024 * 1024);
    expect(ws.writableLength).toBeGreaterThan(0); // backpressure reached the flooding side
    // Once the peer reads, everything is answered.
    const seen = lines(ws);
    ws.resume();
    await until(() => seen.length === 200_000, 60_000);
    const answers = seen as { id: number; ok: boolean; value: number }[];
    expect(new Set(answers.map((a) => a.id)).size).toBe(200_000);
    expect(answers.every((a) => a.ok && a.value === a.id + 1)).toBe(true);
    expect(boss.closed).toBe(false);
  });

  it("the checking side's own requests piling up unread close the channel", async () => {
    const { boss, ws } = await pair({ writeBuffer: { pauseAt: 64 * 1024, max: 1024 * 1024 } });
    ws.removeAllListeners('data');
    ws.pause();
    // 2000 requests of 1 kB each: the test's own calls, as a test could send them.
    const body = { n: 1, viaPeer: false, pad: 'y'.repeat(1000) } as Worker['double']['body'];
    const calls = Array.from({ length: 2000 }, () => boss.request('double', body));
    for (const p of calls) await expect(p).rejects.toThrow('protocol: the peer does not read its answers');
  });
});

describe('types', () => {
  it('bodies and answers are typed per op (checked by tsc, never run)', () => {
    const typeOnly = async (boss: RpcChannel<Boss, Worker>, driver: RpcChannel<DriverOps, SubjectOps>, encoded: Encoded) => {
      const answer = await boss.request('double', { n: 1, viaPeer: false });
      if (answer.ok) {
        const n: number = answer.value;
        void n;
      } else {
        const message: string = answer.error.message;
        void message;
      }
      // @ts-expect-error the worker serves no `add`
      await boss.request('add', { a: 1, b: 2 });
      // @ts-expect-error a body field of the wrong type
      await boss.request('double', { n: '1', viaPeer: false });
      // @ts-expect-error a missing body field
      await boss.request('double', { n: 1 });
      // @ts-expect-error arguments must go through encodeValue first
      await driver.request('call', { target: null, method: 'f', args: [1] });
      await driver.request('call', { target: null, method: 'f', args: encoded });
      const loaded = await driver.request('load', { files: [], entry: 'solution.ts' });
      // @ts-expect-error an answer's value is there only when it is ok
      void loaded.value;
      if (loaded.ok) {
        const exports: string[] = loaded.value;
        void exports;
      }
    };
    expect(typeof typeOnly).toBe('function');
  });
});
