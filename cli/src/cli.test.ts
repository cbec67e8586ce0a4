/**
 * The `assay` CLI as a user runs it: a real process, real files, real Docker.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assay } from './testing';
import { ResultSchema } from '@assay/contracts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'assay-cli-'));
  await writeFile(
    path.join(dir, 'wrong.js'),
    'export class LRUCache { constructor(c) {} get() { return 1; } put() {} get size() { return 0; } }\n',
  );
  await writeFile(
    path.join(dir, 'wrong.ts'),
    'export class LRUCache {\n  constructor(c: number) {}\n  get(k: unknown): unknown { return 1; }\n' +
      '  put(k: unknown, v: unknown): void {}\n  get size(): number { return 0; }\n}\n',
  );
});

describe('assay grade', () => {
  it('--json prints exactly the result JSON and exits 0 whatever the verdict', async () => {
    const run = await assay(['grade', '--problem', 'lru-cache', '--language', 'javascript', '--json', path.join(dir, 'wrong.js')]);
    expect(run.code).toBe(0);
    const result = ResultSchema.parse(JSON.parse(run.stdout));
    expect(result.verdict).toBe('wrong_answer');
    expect(run.stderr).toMatch(/suite:correctness \d+\/\d+/);
  });

  it('a quick TypeScript grading waits for its type check and exits 0 with the result', async () => {
    const run = await assay(['grade', '--problem', 'lru-cache', '--language', 'typescript', '--json', path.join(dir, 'wrong.ts')]);
    expect(run.code, run.stderr).toBe(0);
    expect(ResultSchema.parse(JSON.parse(run.stdout)).verdict).toBe('wrong_answer');
  });

  it('prints a readable report by default, the language taken from the file name', async () => {
    const run = await assay(['grade', '-p', 'lru-cache', path.join(dir, 'wrong.js')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/WRONG_ANSWER · score [\d.]+\/100/);
    expect(run.stdout).toMatch(/correctness \d+\/\d+ \(weight \d+\)/);
  });

  it('refuses an unknown problem, naming the known ones', async () => {
    const run = await assay(['grade', '--problem', 'no-such-problem', '--language', 'typescript', path.join(dir, 'wrong.js')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown problem "no-such-problem"; known problems: .*lru-cache/);
    expect(run.stdout).toBe('');
  });

  it('refuses an unsupported language', async () => {
    const run = await assay(['grade', '--problem', 'lru-cache', '--language', 'cobol', path.join(dir, 'wrong.js')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unsupported language "cobol": use one of typescript, javascript/);
  });

  it('without --language, refuses files whose names say no language or two', async () => {
    for (const files of [['notes.txt'], ['wrong.js', 'wrong.ts']]) {
      const run = await assay(['grade', '-p', 'lru-cache', ...files.map((f) => path.join(dir, f))]);
      expect(run.code, files.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/say which with --language/);
    }
  });

  it('refuses an unreadable file', async () => {
    const run = await assay(['grade', '--problem', 'lru-cache', '--language', 'typescript', path.join(dir, 'missing.ts')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot read .*missing\.ts: ENOENT/);
  });

  it('refuses a usage error with the help', async () => {
    const run = await assay(['grade', path.join(dir, 'wrong.js')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/required option '-p, --problem <id>' not specified/);
  });

  it('says so when Docker is not reachable', async () => {
    const run = await assay(['grade', '--problem', 'lru-cache', '--language', 'javascript', path.join(dir, 'wrong.js')], {
      DOCKER_HOST: `unix://${dir}/no-docker.sock`,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Docker is not reachable .*ensure-docker\.sh/);
  });
});

describe('assay problems', () => {
  it('lists the problems', async () => {
    const run = await assay(['problems', 'list', '--json']);
    expect(run.code).toBe(0);
    const ids = (JSON.parse(run.stdout) as { id: string }[]).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['lru-cache', 'rate-limiter']));
  });
});

describe('assay problems new', () => {
  it('scaffolds a package that validates as it is', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'assay-new-'));
    const made = await assay(['problems', 'new', 'word-counter', '--dir', root]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/created .*word-counter\/suites\.ts/);
    expect(made.stdout).toMatch(/created .*word-counter\/submissions\/accepted\//);
    const validated = await assay(['problems', 'validate', 'word-counter', '--dir', root]);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
    expect(validated.stdout).toMatch(/all 1 packages valid/);
    expect(validated.stdout).toMatch(/submissions\/wrong_answer\/\S+: wrong_answer/);
  });

  it('refuses an id that is not one, and a package that exists', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'assay-new-'));
    const bad = await assay(['problems', 'new', 'Not An Id', '--dir', root]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"Not An Id" is not a problem id/);
    expect((await assay(['problems', 'new', 'twice', '--dir', root])).code).toBe(0);
    const again = await assay(['problems', 'new', 'twice', '--dir', root]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/twice already exists/);
  });
});
