/**
 * The per-run floor of the sandbox: a hardened `docker run --rm … node -e 0` through the CLI,
 * next to SandboxRunner.run with the same settings. Prints medians; asserts nothing.
 *
 *   npx tsx bench/runner-floor.ts [runs]      (ASSAY_RUNNER_IMAGE=<tag> skips the image build)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import pino from 'pino';
import { IMAGE_PATHS } from '@assay/container/wire';
import { RunnerImage } from '../grader/src/image/RunnerImage';
import { SandboxRunner } from '../grader/src/runner/SandboxRunner';
import { SECCOMP_PROFILE, sandboxCliFlags } from '../grader/src/runner/sandboxHostConfig';
import { medians } from './medians';

const execFileAsync = promisify(execFile);
const runs = Number(process.argv[2] ?? 10);
const limits = { memoryMb: 256, wallMs: 10_000 };

const docker = new Docker();
const image = process.env.ASSAY_RUNNER_IMAGE ?? (await new RunnerImage(docker).ensure((l) => console.log(l)));
const dir = await mkdtemp(join(tmpdir(), 'assay-bench-'));
try {
  const seccompFile = join(dir, 'seccomp.json');
  await writeFile(seccompFile, SECCOMP_PROFILE);
  const cliArgs = ['run', '--rm', '-i', ...sandboxCliFlags(limits, seccompFile), image, IMAGE_PATHS.node, '-e', '0'];
  const runner = new SandboxRunner(docker, pino({ level: 'warn' }));

  console.log(
    `image ${image}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const cliLabel = '(a) docker run --rm (CLI, same hardening)';
  const apiLabel = '(b) SandboxRunner.run (dockerode)';
  const result = await medians(runs, {
    [cliLabel]: async () => {
      await execFileAsync('docker', cliArgs, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    },
    [apiLabel]: async () => {
      const outcome = await runner.run({
        image,
        cmd: [IMAGE_PATHS.node, '-e', '0'],
        stdin: '',
        outputBytes: 1 << 16,
        ...limits,
      });
      if (outcome.exitCode !== 0) throw new Error(`run failed: ${JSON.stringify(outcome)}`);
    },
  });
  const cli = result[cliLabel]!;
  const api = result[apiLabel]!;
  console.log(`\nDESIGN.md floors (2 cores): hardened docker run 282 ms, dockerode create+attach+start+wait+remove 254 ms`);
  console.log(`here: CLI ${cli.toFixed(0)} ms, SandboxRunner ${api.toFixed(0)} ms (${(api / 254).toFixed(2)}× the dockerode floor)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
