/**
 * Hostile programs against real containers (no mocks). Each case checks the runner's outcome,
 * that its container is gone, and that a normal run right after still works.
 */
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_PATHS } from '@assay/container/wire';
import { ContainerReaper } from './ContainerReaper';
import { SandboxRunner, type RunOutcome, type RunSpec } from './SandboxRunner';
import { SANDBOX_LABEL, SUBMISSION_LABEL } from './sandboxHostConfig';
import { PROBE_PATH, buildProbeImage, ensureTestRunnerImage } from './testImage';

const docker = new Docker();
const runner = new SandboxRunner(docker, pino({ level: 'warn' }));
let image = '';
let probeImage = '';

const NODE = IMAGE_PATHS.node;
/** Long enough that a case which should end by itself never ends by the timer instead. */
const LONG_WALL_MS = 20_000;

beforeAll(async () => {
  image = await ensureTestRunnerImage(docker);
  probeImage = await buildProbeImage(docker, image);
});

afterAll(async () => {
  if (probeImage)
    await docker
      .getImage(probeImage)
      .remove({ force: true })
      .catch(() => {});
});

type Overrides = Partial<Omit<RunSpec, 'cmd'>>;

async function node(code: string, overrides: Overrides = {}): Promise<RunOutcome & { id: string }> {
  const id = `test-${randomUUID()}`;
  const outcome = await runner.run({
    image,
    cmd: [NODE, '-e', code],
    stdin: '',
    memoryMb: 256,
    wallMs: LONG_WALL_MS,
    outputBytes: 1 << 20,
    submissionId: id,
    ...overrides,
  });
  return { ...outcome, id };
}

async function containersOf(submissionId: string): Promise<number> {
  const list = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${SUBMISSION_LABEL}=${submissionId}`] }),
  });
  return list.length;
}

/** The container is gone and the next submission is unaffected. */
async function expectCleanAfter(submissionId: string): Promise<void> {
  expect(await containersOf(submissionId)).toBe(0);
  const next = await node("console.log('ok')");
  expect(next).toMatchObject({ exitCode: 0, stdout: 'ok\n', timedOut: false, oomKilled: false });
}

describe('SandboxRunner', () => {
  it('delivers stdin and streams stdout lines while the program runs', async () => {
    const lines: Array<{ line: string; at: number }> = [];
    const code = `
      let input = '';
      process.stdin.on('data', (d) => (input += d)).on('end', () => {
        console.log('got ' + input.length + ' ' + input.slice(0, 5));
        setTimeout(() => console.log('second'), 400);
        setTimeout(() => process.stdout.write('last-no-newline'), 500);
      });`;
    const payload = 'hello' + 'x'.repeat(200_000);
    const outcome = await node(code, {
      stdin: payload,
      onStdoutLine: (line) => lines.push({ line, at: Date.now() }),
    });
    const finishedAt = Date.now();
    expect(outcome.exitCode).toBe(0);
    expect(lines.map((l) => l.line)).toEqual([`got ${payload.length} hello`, 'second', 'last-no-newline']);
    // The first line reached us while the program was still running, not at the end.
    expect(lines[0]!.at).toBeLessThan(lines[1]!.at);
    expect(lines[0]!.at).toBeLessThan(finishedAt);
    expect(outcome.stdout).toBe(`got ${payload.length} hello\nsecond\nlast-no-newline`);
    await expectCleanAfter(outcome.id);
  });

  it('creates the container with every hardening setting', async () => {
    let inspected: Docker.ContainerInspectInfo | undefined;
    let env: Record<string, string> = {};
    const id = `test-${randomUUID()}`;
    const outcome = await runner.run({
      image,
      cmd: [NODE, '-e', 'console.log(JSON.stringify(process.env)); setTimeout(() => {}, 1500)'],
      stdin: '',
      memoryMb: 200,
      wallMs: 5000,
      outputBytes: 1 << 16,
      submissionId: id,
      labels: { team: 'x' },
      onStdoutLine: (line) => {
        env = JSON.parse(line) as Record<string, string>;
        void docker
          .listContainers({ filters: JSON.stringify({ label: [`${SUBMISSION_LABEL}=${id}`] }) })
          .then(([c]) => c && docker.getContainer(c.Id).inspect())
          .then((info) => (inspected = info ?? undefined));
      },
    });
    expect(outcome.exitCode).toBe(0);
    expect(inspected).toBeDefined();
    const host = inspected!.HostConfig as Docker.HostConfig & Record<string, unknown>;
    expect(host).toMatchObject({
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      PidsLimit: 256,
      Memory: 200 * 1024 * 1024,
      MemorySwap: 200 * 1024 * 1024,
      NanoCpus: 1e9,
      IpcMode: 'none',
      CgroupnsMode: 'private',
      Init: true,
      OomKillDisable: false,
      AutoRemove: false,
    });
    expect([...(host.CapAdd ?? [])].sort()).toEqual(['KILL', 'SETGID', 'SETUID']);
    expect(host.SecurityOpt).toContain('no-new-privileges');
    expect(host.SecurityOpt?.some((o: string) => o.startsWith('seccomp='))).toBe(true);
    expect(host.LogConfig).toMatchObject({ Type: 'json-file', Config: { 'max-size': '1m' } });
    expect(Object.keys(host.Tmpfs ?? {}).sort()).toEqual([IMAGE_PATHS.candidateDir, IMAGE_PATHS.referenceDir, '/tmp'].sort());
    expect(inspected!.Config.Labels).toMatchObject({ [SANDBOX_LABEL]: '1', [SUBMISSION_LABEL]: id, team: 'x' });
    // A clean environment: nothing from the host.
    expect(Object.keys(env).sort()).toEqual(['HOME', 'HOSTNAME', 'PATH']);
    await expectCleanAfter(id);
  });

  it('mounts the candidate and reference tmpfs owned by their uids, mode 0700', async () => {
    const code = `
      const fs = require('fs');
      for (const p of ['${IMAGE_PATHS.candidateDir}', '${IMAGE_PATHS.referenceDir}', '/tmp']) {
        const s = fs.statSync(p);
        console.log(p, (s.mode & 0o7777).toString(8), s.uid, s.gid);
      }`;
    const outcome = await node(code);
    expect(outcome.stdout.trim().split('\n')).toEqual([
      `${IMAGE_PATHS.candidateDir} 700 2000 2000`,
      `${IMAGE_PATHS.referenceDir} 700 3000 3000`,
      '/tmp 1777 0 0',
    ]);
    await expectCleanAfter(outcome.id);
  });

  it('fork bomb: stopped by the pids limit, the run still finishes', async () => {
    // A refused spawn has no pid (EAGAIN from the pids cgroup: it counts node's threads too).
    const code = `
      const { spawn } = require('child_process');
      let started = 0;
      for (; started < 2000; started++) {
        const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
        if (c.pid === undefined) { c.on('error', () => {}); break; }
      }
      console.log(started);
      process.exit(0);`;
    const outcome = await node(code, { wallMs: 10_000, memoryMb: 1024 });
    expect(outcome).toMatchObject({ exitCode: 0, timedOut: false });
    const started = Number(outcome.stdout.trim());
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(256);
    await expectCleanAfter(outcome.id);
  });

  it('memory bomb: OOM-killed by the cgroup (or node gives up its heap)', async () => {
    const code = `const keep = []; for (;;) keep.push(Buffer.alloc(1 << 20, 1));`;
    const outcome = await node(code, { memoryMb: 128 });
    expect(outcome.timedOut).toBe(false);
    expect(outcome.oomKilled || outcome.exitCode === 134).toBe(true);
    expect(outcome.exitCode).not.toBe(0);
    await expectCleanAfter(outcome.id);
  });

  it('busy loop: killed at the wall clock', async () => {
    const outcome = await node('for (;;) {}', { wallMs: 2000 });
    expect(outcome).toMatchObject({ timedOut: true, exitCode: 137, oomKilled: false });
    await expectCleanAfter(outcome.id);
  });

  it('idle forever: killed at the wall clock', async () => {
    const outcome = await node('setInterval(() => {}, 1000)', { wallMs: 2000 });
    expect(outcome).toMatchObject({ timedOut: true, exitCode: 137 });
    await expectCleanAfter(outcome.id);
  });

  /** Writes `chunk` forever, as fast as the reader takes it (yielding on backpressure). */
  const flood = (stream: 'stdout' | 'stderr', chunk: string) => `
    const s = ${chunk};
    const more = () => { while (process.${stream}.write(s)); process.${stream}.once('drain', more); };
    more();`;

  for (const stream of ['stdout', 'stderr'] as const) {
    it(`${stream} flood: killed at the output cap, not by the timer`, async () => {
      const outcome = await node(flood(stream, "'x'.repeat(65535) + '\\n'"), { outputBytes: 256 * 1024 });
      expect(outcome).toMatchObject({ outputExceeded: true, timedOut: false, exitCode: 137 });
      expect(outcome.stdout.length + outcome.stderr.length).toBe(256 * 1024);
      expect(outcome[stream].length).toBe(256 * 1024);
      await expectCleanAfter(outcome.id);
    });
  }

  it('stdout flood that never yields: ends at the output cap or the memory limit', async () => {
    // A tight loop never lets node flush a queued write: its buffer grows until the cgroup
    // kills it, unless the cap is reached first. Either way a clear verdict, quickly.
    const code = "const s = 'x'.repeat(65535) + '\\n'; for (;;) process.stdout.write(s);";
    const outcome = await node(code, { outputBytes: 256 * 1024 });
    expect(outcome.timedOut).toBe(false);
    expect(outcome.outputExceeded || outcome.oomKilled).toBe(true);
    expect(outcome.stdout.length).toBeLessThanOrEqual(256 * 1024);
    await expectCleanAfter(outcome.id);
  });

  it('one huge line without a newline: capped, delivered once, bounded', async () => {
    const lines: string[] = [];
    const outcome = await node(flood('stdout', "'y'.repeat(65536)"), {
      outputBytes: 100_000,
      onStdoutLine: (l) => lines.push(l),
    });
    expect(outcome).toMatchObject({ outputExceeded: true, timedOut: false });
    expect(outcome.stdout.length).toBe(100_000);
    expect(lines).toEqual(['y'.repeat(100_000)]);
    await expectCleanAfter(outcome.id);
  });

  it('/tmp fill: ENOSPC at the tmpfs size', async () => {
    const code = `
      const fs = require('fs'); let written = 0;
      try { for (;;) { fs.appendFileSync('/tmp/fill', Buffer.alloc(1 << 20)); written += 1 << 20; } }
      catch (e) { console.log(e.code, written); }`;
    const outcome = await node(code);
    const [errCode, written] = outcome.stdout.trim().split(' ');
    expect(outcome.exitCode).toBe(0);
    expect(errCode).toBe('ENOSPC');
    expect(Number(written)).toBeLessThanOrEqual(16 * 1024 * 1024);
    await expectCleanAfter(outcome.id);
  });

  it('writing the root filesystem fails with EROFS', async () => {
    const code = `
      const fs = require('fs');
      for (const p of ['/evil', '${IMAGE_PATHS.driver}', '/sandbox/evil']) {
        try { fs.writeFileSync(p, 'x'); console.log('wrote ' + p); } catch (e) { console.log(e.code); }
      }`;
    const outcome = await node(code);
    expect(outcome.stdout.trim().split('\n')).toEqual(['EROFS', 'EROFS', 'EROFS']);
    await expectCleanAfter(outcome.id);
  });

  it('has no network', async () => {
    const code = `
      const net = require('net'), os = require('os'), dns = require('dns');
      console.log(Object.keys(os.networkInterfaces()).join(','));
      const s = net.connect({ host: '1.1.1.1', port: 80 });
      s.on('connect', () => { console.log('CONNECTED'); process.exit(0); });
      s.on('error', (e) => {
        console.log(e.code);
        dns.lookup('registry.npmjs.org', (err) => { console.log(err ? 'dns-fail' : 'dns-ok'); });
      });`;
    const outcome = await node(code, { wallMs: 10_000 });
    const [ifaces, connectErr, dnsResult] = outcome.stdout.trim().split('\n');
    expect(ifaces).toBe('lo');
    expect(connectErr).toBe('ENETUNREACH');
    expect(dnsResult).toBe('dns-fail');
    expect(outcome.stdout).not.toContain('CONNECTED');
    await expectCleanAfter(outcome.id);
  });

  it("the candidate uid cannot read the reference uid's tmpfs", async () => {
    // Runs as root with only SETUID/SETGID/KILL, like the driver: it drops to each uid.
    const code = `
      const { spawnSync } = require('child_process');
      const as = (uid, js) => {
        const r = spawnSync(process.execPath, ['-e', js], { uid, gid: uid, encoding: 'utf8' });
        return (r.stdout + r.stderr).trim();
      };
      const tryRead = "try { console.log(require('fs').readFileSync('${IMAGE_PATHS.referenceDir}/secret', 'utf8')) } catch (e) { console.log(e.code) }";
      console.log(as(3000, "require('fs').writeFileSync('${IMAGE_PATHS.referenceDir}/secret', 'hidden-test'); console.log('written')"));
      console.log(as(2000, tryRead));
      console.log(as(2000, "try { require('fs').readdirSync('${IMAGE_PATHS.referenceDir}'); console.log('listed') } catch (e) { console.log(e.code) }"));
      console.log(as(3000, tryRead));
      console.log(as(2000, "require('fs').writeFileSync('${IMAGE_PATHS.candidateDir}/a.js', '1'); console.log('own dir ok')"));`;
    const outcome = await node(code);
    expect(outcome.stdout.trim().split('\n')).toEqual(['written', 'EACCES', 'EACCES', 'hidden-test', 'own dir ok']);
    await expectCleanAfter(outcome.id);
  });

  it('ptrace, process_vm_readv and io_uring are blocked by seccomp', async () => {
    const id = `test-${randomUUID()}`;
    const outcome = await runner.run({
      image: probeImage,
      cmd: [PROBE_PATH],
      stdin: '',
      memoryMb: 64,
      wallMs: 5000,
      outputBytes: 64,
      submissionId: id,
    });
    expect(outcome.exitCode).toBe(0);
    // One errno byte per syscall; 1 = EPERM from the profile (unconfined: 0, 0, 14).
    expect([...Buffer.from(outcome.stdout, 'latin1')]).toEqual([1, 1, 1]);
    await expectCleanAfter(id);
  });

  it('a detached background process does not outlive the run', async () => {
    const code = `
      const { spawn } = require('child_process');
      const bg = spawn(process.execPath, ['-e', "setInterval(() => console.log('bg'), 50)"], {
        detached: true, stdio: 'inherit',
      });
      bg.unref();
      setTimeout(() => process.exit(0), 300);`;
    const outcome = await node(code);
    // It ended by itself, although the background process still held stdout open.
    expect(outcome).toMatchObject({ exitCode: 0, timedOut: false });
    expect(outcome.stdout).toContain('bg');
    await expectCleanAfter(outcome.id);
  });
});

describe('ContainerReaper', () => {
  /** A running container as a crashed worker would leave it. */
  const leftover = async (submission: string) => {
    const c = await docker.createContainer({
      Image: image,
      Cmd: [NODE, '-e', 'setInterval(() => {}, 1000)'],
      Labels: { [SANDBOX_LABEL]: '1', [SUBMISSION_LABEL]: submission },
      HostConfig: { NetworkMode: 'none' },
    });
    await c.start();
    return c;
  };

  it('removes leftover sandbox containers, by age when asked, and nothing unlabelled', async () => {
    // Only ever our own leftovers: other runs may share this Docker engine.
    const submission = `leftover-${randomUUID()}`;
    const mine = { [SUBMISSION_LABEL]: submission };
    await leftover(submission);
    const unrelated = await docker.createContainer({ Image: image, Cmd: [NODE, '-e', '0'] });
    try {
      const reaper = new ContainerReaper(docker);
      expect(await reaper.reap({ olderThanMs: 60 * 60 * 1000, labels: mine })).toBe(0);
      expect(await containersOf(submission)).toBe(1);
      expect(await reaper.reap({ labels: mine })).toBe(1);
      expect(await containersOf(submission)).toBe(0);
      await expect(unrelated.inspect()).resolves.toBeDefined();
    } finally {
      await unrelated.remove({ force: true });
    }
    await expectCleanAfter(submission);
  });
});
