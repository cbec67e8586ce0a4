/**
 * A whole grading next to the sandbox floor, measured side by side in one run:
 *   (a) a bare hardened `docker run --rm <runner image> node -e 0` (the floor),
 *   (b) grading a trivial problem (the canary fixture: one process, three tiny tests) — the
 *       per-submission overhead of a grading,
 *   (c) grading the lru-cache reference solution (suites included: correctness, latency,
 *       complexity probes).
 * Prints medians and ratios; asserts nothing.
 *
 *   npx tsx bench/grading.ts [runs]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadProblem, PROBLEMS_DIR } from '@assay/sdk/package';
import { Grader } from '@assay/grader';
import type { Result } from '@assay/contracts';
import { IMAGE_PATHS } from '@assay/container/wire';
import { RunnerImage } from '../grader/src/image/RunnerImage';
import { SECCOMP_PROFILE, sandboxCliFlags } from '../grader/src/runner/sandboxHostConfig';
import Docker from 'dockerode';
import { medians } from './medians';

const execFileAsync = promisify(execFile);
const runs = Number(process.argv[2] ?? 5);
const grader = await Grader.create({ onImageBuild: (l) => console.log(l) });
const image = await new RunnerImage(new Docker()).ensure();
const canary = await loadProblem('canary', join(PROBLEMS_DIR, '..', 'grader', 'src', 'fixtures', 'problems'));
const lru = await loadProblem('lru-cache');

const dir = await mkdtemp(join(tmpdir(), 'assay-bench-'));
const seccompFile = join(dir, 'seccomp.json');
await writeFile(seccompFile, SECCOMP_PROFILE);
const cliArgs = [
  'run',
  '--rm',
  '-i',
  ...sandboxCliFlags({ memoryMb: 256, wallMs: 10_000 }, seccompFile),
  image,
  IMAGE_PATHS.node,
  '-e',
  '0',
];

let lastLru: Result | undefined;
const expectAccepted = (r: Result) => {
  if (r.verdict !== 'accepted') throw new Error(`expected accepted, got ${r.verdict}: ${r.summary}`);
  return r;
};

console.log(
  `runner image ${image}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
try {
  const m = await medians(runs, {
    '(a) bare docker run, node -e 0 (floor)': async () => {
      await execFileAsync('docker', cliArgs, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    },
    '(b) grading: canary fixture (overhead)': async () => {
      expectAccepted(await grader.grade({ problem: canary, language: 'typescript', files: canary.reference.files }));
    },
    '(c) grading: lru-cache reference (whole)': async () => {
      lastLru = expectAccepted(await grader.grade({ problem: lru, language: 'typescript', files: lru.reference.files }));
    },
  });
  const [floor, overhead, whole] = Object.values(m) as [number, number, number];
  const suitesMs = lastLru!.suites.flatMap((s) => s.tests).reduce((sum, t) => sum + t.durationMs, 0);
  console.log('');
  console.log(
    `overhead of a grading (b) / floor (a):        ${(overhead / floor).toFixed(2)}×  ` +
      `(DESIGN target ≤ 1.2× the dockerode floor of 254 ms → ${(overhead / 254).toFixed(2)}×)`,
  );
  console.log(`lru-cache whole grading (c) / floor (a):      ${(whole / floor).toFixed(2)}×`);
  console.log(
    `lru-cache suites' own time (last run):        ${Math.round(suitesMs)} ms of ${Math.round(lastLru!.resources.wallMs)} ms in the container`,
  );
  console.log(`lru-cache beyond its suites (c − suites):     ${Math.round(whole - suitesMs)} ms`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
