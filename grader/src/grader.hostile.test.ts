/**
 * Hostile submissions, end to end through real containers: each gets a clear verdict (never
 * internal_error, never accepted unless the attack had no effect), the hidden test's secret
 * never appears in the result, no container is left behind, and the next grading is normal.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProblemPackage, Result, Verdict } from '@assay/contracts';
import { loadProblem } from '@assay/sdk/package';
import { Grader } from './Grader';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'problems');
const RUN = `hostile-${process.pid}-${Date.now()}`;
const CANARY = 'CANARY-7f3a9c1e';

let grader: Grader;
let canary: ProblemPackage;
let n = 0;

async function grade(code: string, language: 'javascript' | 'typescript' = 'javascript'): Promise<Result> {
  const file = language === 'javascript' ? 'solution.js' : 'solution.ts';
  return grader.grade({ problem: canary, language, files: [{ path: file, content: code }] }, { submissionId: `${RUN}-${n++}` });
}

function expectClean(result: Result): void {
  expect(result.verdict).not.toBe('internal_error');
  expect(JSON.stringify(result)).not.toContain(CANARY);
}

beforeAll(async () => {
  grader = await Grader.create();
  canary = await loadProblem('canary', FIXTURES);
});

afterAll(async () => {
  const docker = new Docker();
  const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['assay.sandbox=1'] }) });
  expect(left.filter((c) => c.Labels['assay.submission']?.startsWith(RUN))).toEqual([]);
});

const ECHO = 'export function echo(t) { return t; }';

const attacks: { name: string; verdict: Verdict | Verdict[]; code: string }[] = [
  {
    // ~20 node processes fit under the pids limit, and together they also fill the memory limit:
    // which limit the kernel enforces first depends on timing, and either is the right verdict.
    name: 'fork bomb at import time',
    verdict: ['time_limit_exceeded', 'memory_limit_exceeded'],
    code: `import { spawn } from 'node:child_process';
for (;;) { try { spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore', detached: true }).on('error', () => {}); } catch {} }
${ECHO}`,
  },
  {
    name: 'memory bomb on the heap',
    verdict: 'memory_limit_exceeded',
    code: `const hoard = []; export function echo(t) { for (;;) hoard.push(new Array(1e5).fill(t)); }`,
  },
  {
    name: 'memory bomb off the heap (Buffers)',
    verdict: 'memory_limit_exceeded',
    code: `const hoard = []; export function echo(t) { for (;;) hoard.push(Buffer.alloc(16 * 1024 * 1024, 1)); }`,
  },
  { name: 'busy loop', verdict: 'time_limit_exceeded', code: `export function echo(t) { for (;;) {} }` },
  { name: 'idle forever', verdict: 'time_limit_exceeded', code: `export function echo(t) { return new Promise(() => {}); }` },
  {
    name: 'stdout flood',
    verdict: 'output_limit_exceeded',
    code: `export function echo(t) { for (;;) process.stdout.write('x'.repeat(65536) + '\\n'); }`,
  },
  {
    name: 'stderr flood',
    verdict: 'output_limit_exceeded',
    code: `export function echo(t) { for (;;) process.stderr.write('y'.repeat(65536) + '\\n'); }`,
  },
  {
    name: 'one huge line',
    verdict: 'output_limit_exceeded',
    code: `export function echo(t) { process.stdout.write('z'.repeat(50 * 1024 * 1024)); return t; }`,
  },
  {
    name: '/tmp and working directory fill',
    verdict: 'accepted',
    code: `import { writeFileSync } from 'node:fs';
const chunk = Buffer.alloc(1024 * 1024, 1);
for (const dir of ['/tmp', process.cwd()]) { try { for (let i = 0; i < 4096; i++) writeFileSync(dir + '/fill' + i, chunk); } catch {} }
${ECHO}`,
  },
  {
    name: 'writing the root filesystem',
    verdict: 'accepted',
    code: `import { writeFileSync } from 'node:fs';
let wrote = [];
for (const p of ['/opt/assay/driver.mjs', '/etc/passwd', '/usr/local/bin/node', '/pwned', '/sandbox/reference/x']) {
  try { writeFileSync(p, 'pwned'); wrote.push(p); } catch {}
}
export function echo(t) { return wrote.length ? 'wrote ' + wrote.join(',') : t; }`,
  },
  {
    name: 'network attempts',
    verdict: 'accepted',
    code: `import net from 'node:net'; import dns from 'node:dns/promises';
const tries = [['1.1.1.1', 53], ['8.8.8.8', 443], ['172.17.0.1', 2375], ['10.0.0.1', 80]].map(([host, port]) => new Promise((resolve) => {
  const s = net.connect({ host, port, timeout: 500 }, () => { s.destroy(); resolve(host); });
  s.on('error', () => resolve(null)); s.on('timeout', () => { s.destroy(); resolve(null); });
}));
const dnsTry = dns.lookup('example.com').then(() => 'dns', () => null);
const reached = (await Promise.all([...tries, dnsTry])).filter(Boolean);
export function echo(t) { return reached.length ? 'reached ' + reached.join(',') : t; }`,
  },
  {
    name: 'reading hidden tests and the driver',
    verdict: 'accepted',
    code: `import { readFileSync, readdirSync } from 'node:fs';
const secrets = [];
const pids = readdirSync('/proc').filter((p) => /^\\d+$/.test(p));
for (const pid of pids) for (const f of ['environ', 'mem', 'fd/0', 'fd/1', 'maps', 'root/sandbox/reference/src/solution.ts']) {
  try { const b = readFileSync('/proc/' + pid + '/' + f); if (b.length) secrets.push(pid + '/' + f); } catch {}
}
for (const p of ['/sandbox/reference/src/solution.ts', '/sandbox/reference']) { try { readFileSync(p); secrets.push(p); } catch {} }
console.log('stolen:', secrets.join(' '));
export function echo(t) { return secrets.some((s) => !s.startsWith(String(process.pid) + '/')) ? 'read ' + secrets.join(',') : t; }`,
  },
  {
    name: 'killing or tracing the driver',
    verdict: 'accepted',
    code: `import { openSync, writeSync } from 'node:fs';
const done = [];
for (const pid of [process.ppid, 1]) {
  for (const sig of ['SIGKILL', 'SIGSTOP', 'SIGTERM']) { try { process.kill(pid, sig); done.push(pid + sig); } catch {} }
  try { const fd = openSync('/proc/' + pid + '/mem', 'r+'); writeSync(fd, 'x'); done.push(pid + 'mem'); } catch {}
}
export function echo(t) { return done.length ? 'did ' + done.join(',') : t; }`,
  },
  {
    name: 'forging a result on stdout and through /proc',
    verdict: 'wrong_answer',
    code: `import { openSync, writeSync } from 'node:fs';
const forged = JSON.stringify({ type: 'report', report: { verdict: 'accepted', score: 100 } });
for (let i = 0; i < 50; i++) console.log('@@assay:' + '0'.repeat(32) + ' ' + forged);
console.log(JSON.stringify({ verdict: 'accepted', score: 100 }));
for (const pid of [process.ppid, 1]) for (const fd of [1, 2]) { try { writeSync(openSync('/proc/' + pid + '/fd/' + fd, 'w'), forged + '\\n'); } catch {} }
export function echo(t) { return 'wrong'; }`,
  },
  {
    name: 'detached background processes',
    verdict: 'accepted',
    code: `import { spawn } from 'node:child_process';
for (let i = 0; i < 4; i++) spawn(process.execPath, ['-e', 'for(;;){}'], { detached: true, stdio: 'ignore' }).unref();
${ECHO}`,
  },
  {
    name: 'exfiltrating the secret through an error name',
    verdict: 'runtime_error',
    code: `export function echo(t) { const e = new Error(t); e.name = t; throw e; }`,
  },
  {
    name: 'replaying the secret in a later sample test',
    verdict: 'accepted',
    code: `const seen = []; export function echo(t) { seen.push(t); console.log(seen.join('|')); return t; }`,
  },
];

describe('hostile submissions', () => {
  for (const attack of attacks) {
    it(`${attack.name} → ${([] as Verdict[]).concat(attack.verdict).join(' or ')}`, async () => {
      const result = await grade(attack.code);
      expectClean(result);
      const allowed = ([] as Verdict[]).concat(attack.verdict);
      expect(allowed, `${result.verdict}: ${result.summary}`).toContain(result.verdict);
    });
  }

  it('a syntax error is a compile_error with file:line:column', async () => {
    const result = await grade('export function echo(t: string) {\n  return t +;\n}\n', 'typescript');
    expect(result.verdict).toBe('compile_error');
    expect(result.compile.diagnostics[0]).toMatchObject({ file: 'solution.ts', line: 2, column: 13 });
  });

  it('a type error is a compile_error with file:line:column, even when the code would run', async () => {
    const result = await grade('export function echo(t: string): number {\n  return t;\n}\n', 'typescript');
    expect(result.verdict).toBe('compile_error');
    expect(result.compile.diagnostics[0]).toMatchObject({
      file: 'solution.ts',
      line: 2,
      column: 3,
      message: expect.stringContaining('TS2322'),
    });
    expect(result.suites).toEqual([]);
  });

  it('code that throws at import time is a runtime_error', async () => {
    const result = await grade(`throw new TypeError('boom'); ${ECHO}`);
    expect(result.verdict).toBe('runtime_error');
    expect(result.summary).toContain('boom');
  });

  it('the next submission after all of that grades normally', async () => {
    const result = await grade(ECHO);
    expect(result).toMatchObject({ verdict: 'accepted', score: 100 });
  });
});
