/**
 * Timed batches in a real subject process (no container: this uid, the subject bundled here):
 * a timed call sees the same stack as a test's call, batches continue where they stopped and
 * advance their arguments, read-backs echo the calls they follow, and the subject's digests are
 * the ones the driver computes from answers it fetched itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteObject } from '@assay/sdk';
import { hashResult, isPlainData } from '../wire/resultDigest';
import { digestOf } from './ResultCheck';
import { OutputCapture } from './OutputCapture';
import { SubjectProcess } from './SubjectProcess';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'assay-batches-'));
const script = path.join(dir, 'subject.mjs');

const CANDIDATE = `
const stacks = [];
export class Probe {
  constructor() { this.log = []; }
  where(x) { stacks.push(new Error().stack.split('\\n').slice(1).join('\\n')); return x; }
  stacks() { return stacks.splice(0); }
  twice(x) { return 2 * x; }
  echo(...args) { return args; }
  async later(x) { await null; return x + 1; }
  page(q) { const at = q.cursor === undefined ? q.from : Number(q.cursor.slice(1)); return { items: [at, at + 1], next: 'c' + (at + 2), extra: Math.random() }; }
  async pageLater(q) { await null; return this.page(q); }
  get size() { return this.log.length; }
  push(x) { this.log.push(x); }
}`;

let subject: SubjectProcess;
let probe: RemoteObject;

beforeAll(async () => {
  await build({
    entryPoints: [path.join(here, '..', 'subject', 'javascript.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: script,
    logLevel: 'warning',
  });
  subject = new SubjectProcess({
    node: process.execPath,
    script,
    esbuild: path.join(here, '..', '..', '..', 'node_modules', '@esbuild', 'linux-x64', 'bin', 'esbuild'),
    dir: mkdtempSync(path.join(dir, 'work-')),
    uid: undefined,
    heapMb: 256,
    output: new OutputCapture(1 << 20),
  } as ConstructorParameters<typeof SubjectProcess>[0]);
  const loaded = await subject.load({ language: 'javascript', files: [{ path: 'solution.js', content: CANDIDATE }], entry: 'solution.js' });
  expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
  probe = await subject.construct('Probe');
}, 60_000);

afterAll(async () => {
  await subject?.terminate({ kind: 'crash', message: 'done' });
  rmSync(dir, { recursive: true, force: true });
});

const hashes = (values: unknown[]) => values.map((v) => hashResult(v, isPlainData));

describe('timed batches', () => {
  it('a timed call sees the same stack as a single call', async () => {
    await probe.call('where', 1);
    const batch = await subject.prepare(probe, 'where', [[1], [2]]);
    await subject.runBatch(batch, 2, 10_000);
    const [single, timed, next] = (await probe.call('stacks')) as string[];
    expect(timed).toBe(single);
    expect(next).toBe(single);
  });

  it('continues where the last run stopped, and its digest is what the answers fetched one by one give', async () => {
    const list = [[1], [2], [3], [4], [5]];
    const batch = await subject.prepare(probe, 'twice', list);
    const first = await subject.runBatch(batch, 3, 10_000);
    const second = await subject.runBatch(batch, 4, 10_000);
    const answers = hashes(await Promise.all(list.map((args) => probe.call('twice', ...args))));
    expect(first.digests).toEqual([digestOf(answers, 0, 3)]);
    expect(second.digests).toEqual([digestOf(answers, 3, 4)]);
    expect(second.digests[0]).not.toBe(digestOf(answers, 0, 4));
  });

  it('awaits results that are thenables, and digests what they resolve to', async () => {
    const batch = await subject.prepare(probe, 'later', [[1], [2]]);
    const run = await subject.runBatch(batch, 2, 10_000);
    expect(run.digests).toEqual([digestOf(hashes([2, 3]), 0, 2)]);
  });

  it.each(['page', 'pageLater'])('chains calls on the previous result and digests the compared property alone (%s)', async (method) => {
    const chained = await subject.prepare(probe, method, [[{ from: 10 }], [{}], [{ from: 50 }], [{}]], {
      pick: 'items',
      chain: { every: 2, arg: 0, key: 'cursor', from: 'next' },
    });
    // from 10, then the cursor it returned (12); from 50, then 52; twice round
    const run = await subject.runBatch(chained, 6, 10_000);
    const items = [
      [10, 11],
      [12, 13],
      [50, 51],
      [52, 53],
      [10, 11],
      [12, 13],
    ];
    expect(run.digests).toEqual([digestOf(hashes(items), 0, 6)]);
  });

  it('refuses a chain whose argument is not an object', async () => {
    await expect(subject.prepare(probe, 'page', [[1], [2]], { chain: { every: 2, arg: 0, key: 'cursor', from: 'next' } })).rejects.toThrow(
      /chained arguments must be objects/,
    );
  });

  it('leaves open results out, advances arguments after each pass, and echoes the calls it follows', async () => {
    const measured = await subject.prepare(probe, 'push', [[10], [20]], { hash: false, advance: { args: [0], by: 100 } });
    const echo = await subject.prepare(probe, 'echo', [], { echo: { args: [0], back: [1, 2, 3, 9] } });
    const size = await subject.prepare(probe, 'size', [[]], { read: true });
    // calls: push(10) push(20) push(110) push(120) push(210): the last three, newest first; 9 back does not exist
    const run = await subject.runBatch(measured, 5, 10_000, [
      [echo, 4],
      [size, 1],
    ]);
    const start = 0x811c9dc5;
    expect(run.digests[0]).toBe(start);
    expect(run.digests[1]).toBe(digestOf(hashes([[210], [120], [110]]), 0, 3));
    expect(run.digests[2]).toBe(digestOf(hashes([5]), 0, 1));
    expect(await probe.prop('size')).toBe(5);
  });

  it('advances the number a string argument ends in, and refuses other strings', async () => {
    const measured = await subject.prepare(
      probe,
      'echo',
      [
        ['item-7', 'x'],
        ['item-8', 'y'],
      ],
      { advance: { args: [0], by: 1000 } },
    );
    const echo = await subject.prepare(probe, 'echo', [], { echo: { args: [0, 1], back: [1, 3] } });
    // calls: echo(item-7) echo(item-8) echo(item-1007) echo(item-1008): the last, and the one three back
    const run = await subject.runBatch(measured, 4, 10_000, [[echo, 2]]);
    expect(run.digests[1]).toBe(
      digestOf(
        hashes([
          ['item-1008', 'y'],
          ['item-8', 'y'],
        ]),
        0,
        2,
      ),
    );
    for (const bad of ['no number', 'item-08']) {
      const refused = await subject.prepare(probe, 'echo', [[bad]], { advance: { args: [0], by: 1 } }).catch((e: Error) => e);
      expect(refused, bad).toBeInstanceOf(Error);
    }
  });

  it('a batch that throws answers the error, not digests', async () => {
    const batch = await subject.prepare(probe, 'nothing', [[1]]).catch((e: Error) => e);
    expect(batch).toBeInstanceOf(Error);
  });
});
