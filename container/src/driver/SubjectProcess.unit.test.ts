/**
 * The driver's side of the channel against subjects that speak the protocol badly on purpose:
 * small scripts standing in for candidate code that writes to fd 3 itself. No Docker: the
 * scripts run as this user, and only what the driver does with them is tested.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { OutputCapture } from './OutputCapture';
import { SubjectGoneError, SubjectProcess } from './SubjectProcess';

const dir = mkdtempSync(join(tmpdir(), 'assay-subject-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const started: SubjectProcess[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) await p.terminate({ kind: 'crash', message: 'test over' });
});

/** A subject whose `onLine(msg, send)` sees every line the driver sends. */
function subject(name: string, body: string): SubjectProcess {
  const script = join(dir, `${name}.mjs`);
  writeFileSync(
    script,
    `import net from 'node:net';
const socket = new net.Socket({ fd: 3, readable: true, writable: true });
const send = (m) => socket.write(typeof m === 'string' ? m : JSON.stringify(m) + '\\n');
let buffered = '';
socket.setEncoding('utf8');
socket.on('data', (chunk) => {
  buffered += chunk;
  for (let nl; (nl = buffered.indexOf('\\n')) >= 0; ) {
    const msg = JSON.parse(buffered.slice(0, nl));
    buffered = buffered.slice(nl + 1);
    onLine(msg);
  }
});
${body}
`,
  );
  const p = new SubjectProcess({
    node: process.execPath,
    script,
    esbuild: '/nonexistent',
    dir,
    uid: undefined,
    heapMb: 64,
    output: new OutputCapture(1024 * 1024),
  });
  started.push(p);
  return p;
}

const unit = { language: 'javascript' as const, files: [], entry: 'solution.js' };
/** Candidate code that will not die: exit and the polite signals do nothing. */
const STUBBORN = `process.exit = () => {}; process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`;

describe('a subject that breaks the protocol is killed, even when it will not exit', () => {
  it.each<[string, string]>([
    ['a line of a million nested brackets', `send('['.repeat(1_000_000) + '\\n');`],
    ['a 10 MB line', `send('"' + 'x'.repeat(10 * 1024 * 1024) + '"\\n');`],
    ['a line that is not JSON', `send('not json\\n');`],
  ])('%s', async (_, write) => {
    const p = subject('breaker', `${STUBBORN}\nfunction onLine() { ${write} }`);
    const loading = p.load(unit);
    await expect(loading).rejects.toBeInstanceOf(SubjectGoneError);
    const fault = await p.exited;
    expect(fault).toMatchObject({ kind: 'crash', message: expect.stringContaining('broke the driver protocol') });
    expect(p.alive).toBe(false);
  });

  it('closing its end of the socket and staying alive', async () => {
    const p = subject('closer', `${STUBBORN}\nfunction onLine() { socket.destroy(); }`);
    await expect(p.load(unit)).rejects.toBeInstanceOf(SubjectGoneError);
    expect(await p.exited).toMatchObject({ kind: 'crash', message: expect.stringContaining('closed its connection') });
  });
});

describe('what a forged load reply can make the driver keep', () => {
  it('diagnostics are capped in number and size, whatever the subject sends', async () => {
    const p = subject(
      'forger',
      `function onLine(m) {
  const diagnostics = Array.from({ length: 300 }, (_, i) => ({ file: 'f'.repeat(1000), line: i, column: 1, message: 'd'.repeat(10000) }));
  send({ t: 'res', id: m.id, ok: false, error: { name: 'n'.repeat(100000), message: 'm'.repeat(100000), kind: 'compile', diagnostics } });
}`,
    );
    const outcome = await p.load(unit);
    expect(outcome.ok).toBe(false);
    if (outcome.ok || outcome.kind !== 'compile') throw new Error(`unexpected ${JSON.stringify(outcome).slice(0, 100)}`);
    expect(outcome.diagnostics).toHaveLength(50);
    expect(Math.max(...outcome.diagnostics.map((d) => d.message.length))).toBeLessThanOrEqual(2000);
    expect(Math.max(...outcome.diagnostics.map((d) => d.file.length))).toBeLessThanOrEqual(200);
  });

  it('a load failure message is capped too', async () => {
    const p = subject(
      'loadfail',
      `function onLine(m) { send({ t: 'res', id: m.id, ok: false, error: { name: 'N'.repeat(1e5), message: 'M'.repeat(1e6), kind: 'load' } }); }`,
    );
    const outcome = await p.load(unit);
    if (outcome.ok || outcome.kind !== 'load') throw new Error('expected a load failure');
    expect(outcome.message.length).toBeLessThan(2200);
  });
});

describe('driver objects handed to the candidate', () => {
  // Answers each call by invoking the driver object it was given (or, without one, the last one
  // it saw, as code keeping a reference from an earlier test would), and returns what it got.
  const caller = `let last; let next = 1; const waiting = new Map();
function onLine(m) {
  if (m.t === 'res') return waiting.get(m.id)?.(m);
  if (m.op === 'load') return send({ t: 'res', id: m.id, ok: true, value: ['f'] });
  const tag = m.args[0];
  if (tag && typeof tag.$obj === 'number') last = tag.$obj;
  const id = next++;
  waiting.set(id, (res) => send({ t: 'res', id: m.id, ok: true, value: { object: last, got: res.ok ? res.value : res.error.message } }));
  send({ t: 'req', id, op: 'invoke', object: last, method: 'get', args: [] });
}`;

  it('have unguessable ids, and stop answering once forgotten (at the end of a test)', async () => {
    const p = subject('caller', caller);
    expect(await p.load(unit)).toEqual({ ok: true, exports: ['f'] });
    const first = (await p.call('f', { __exposed: { get: () => 'first' } })) as { object: number; got: unknown };
    const second = (await p.call('f', { __exposed: { get: () => 'second' } })) as { object: number; got: unknown };
    expect([first.got, second.got]).toEqual(['first', 'second']);
    // Not 1, 2, 3…: ids a candidate could count its way through.
    expect(Math.min(first.object, second.object)).toBeGreaterThan(2 ** 20);
    expect(Math.abs(second.object - first.object)).toBeGreaterThan(1);
    p.forgetDriverObjects();
    expect(await p.call('f', null)).toEqual({ object: second.object, got: 'unknown object' });
  });
});

describe('values the candidate returns', () => {
  it('-0 and bigints come back as themselves', async () => {
    const p = subject(
      'values',
      `function onLine(m) {
  if (m.op === 'load') return send({ t: 'res', id: m.id, ok: true, value: [] });
  send({ t: 'res', id: m.id, ok: true, value: [{ $n: '-0' }, { $big: '12345678901234567890' }, { $n: '7' }] });
}`,
    );
    await p.load(unit);
    const [zero, big, forged] = (await p.call('f')) as [number, bigint, unknown];
    expect(Object.is(zero, -0)).toBe(true);
    expect(big).toBe(12345678901234567890n);
    expect(forged).toBeUndefined(); // {$n} carries only NaN, ±Infinity and -0
  });
});
