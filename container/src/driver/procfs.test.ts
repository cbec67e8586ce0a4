/**
 * Pausing a uid for real, on this machine's /proc (run as root, like the driver): a process
 * with busy worker threads and busy detached children, all under one uid, is stopped to the
 * last thread, its memory and OOM priority are read, and it runs again once thawed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { lowestOomScoreAdj, memoryOf, processesOf, signalAllOf, stopAllOf, threadStates } from './procfs';

/** Unused by anything else on the machine: the tests own every process of it. */
const UID = 2917;

const HOG = `
const { Worker } = require('node:worker_threads');
const { spawn } = require('node:child_process');
for (let i = 0; i < 3; i++) new Worker('for (;;) {}', { eval: true });
for (let i = 0; i < 2; i++) spawn(process.execPath, ['-e', 'for (;;) {}'], { detached: true, stdio: 'ignore' }).unref();
require('node:fs').writeFileSync('/proc/self/oom_score_adj', '700');
globalThis.hoard = Buffer.alloc(64 << 20, 1);
console.log('ready');
for (;;) {}`;

let child: ChildProcess | undefined;

afterEach(() => {
  signalAllOf(UID, 'SIGKILL');
  child = undefined;
});

function startHogs(): Promise<void> {
  child = spawn(process.execPath, ['-e', HOG], { uid: UID, gid: UID, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child!.stdout!.once('data', () => resolve()));
}

async function until(check: () => boolean): Promise<void> {
  for (const end = Date.now() + 5000; Date.now() < end && !check();) await new Promise((r) => setTimeout(r, 20));
}

const states = () => processesOf(UID).flatMap(({ pid }) => threadStates(pid));

describe('procfs (as root, like the driver)', () => {
  it('stops every thread of every process of a uid, detached children included, and thaws them', async () => {
    await startHogs();
    await until(() => processesOf(UID).length >= 3);
    expect(processesOf(UID).length).toBe(3);
    expect((await stopAllOf(UID, 3000))?.length).toBe(3);
    const stopped = states();
    expect(stopped.length).toBeGreaterThan(3 + 2); // the worker threads are counted
    expect(stopped.every((s) => s === 'T')).toBe(true);
    // Still stopped a while later: nothing was left to wake the others.
    await new Promise((r) => setTimeout(r, 100));
    expect(states().every((s) => s === 'T')).toBe(true);
    signalAllOf(UID, 'SIGCONT');
    await until(() => states().some((s) => s === 'R'));
    expect(states().some((s) => s === 'R')).toBe(true);
  });

  it('reads what the uid uses and the lowest OOM priority it set', async () => {
    await startHogs();
    expect(memoryOf(processesOf(UID))).toBeGreaterThan(64 << 20);
    expect(lowestOomScoreAdj(processesOf(UID))).toBeLessThanOrEqual(700);
    expect(lowestOomScoreAdj(processesOf(UID + 1))).toBe(Infinity);
  });

  it('a uid with no process is stopped at once', async () => {
    expect(await stopAllOf(UID + 1, 1000)).toEqual([]);
  });
});
