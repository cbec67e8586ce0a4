/**
 * A Redis server and a PostgreSQL cluster of a test's own, on ephemeral loopback ports with their
 * data in a temp dir, so a test can kill and restart them without touching the shared services.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const PG_BIN = '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', () => r()));
}

/** One redis-server without persistence; `kill()` is a SIGKILL, `start()` brings it back on the same port. */
export class PrivateRedis {
  private proc: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'assay-redis-')));
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    this.proc = spawn('redis-server', [...args, '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    await until(
      `redis-server on ${this.port}`,
      async () =>
        execFileSync('redis-cli', ['-p', String(this.port), 'ping'])
          .toString()
          .includes('PONG'),
      10_000,
    );
  }

  async kill(): Promise<void> {
    if (!this.proc) return;
    this.proc.kill('SIGKILL');
    await exited(this.proc);
    this.proc = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * One PostgreSQL 15 cluster (Debian's binaries, run as the `postgres` OS user since the tests run
 * as root), trust auth for the `assay` role on loopback. `kill()` is an immediate shutdown (SIGQUIT:
 * every backend dies at once, as in a crash); `start()` restarts it on the same port and data.
 */
export class PrivatePostgres {
  private proc: ChildProcess | undefined;
  private readonly uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  private readonly gid = Number(execFileSync('id', ['-g', 'postgres']).toString());

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'assay-pg-'));
    const p = new PrivatePostgres(await freePort(), dir);
    chownSync(dir, p.uid, p.gid);
    execFileSync(`${PG_BIN}/initdb`, ['-D', join(dir, 'data'), '-U', 'assay', '-A', 'trust', '--no-sync'], {
      uid: p.uid,
      gid: p.gid,
      stdio: 'ignore',
    });
    await p.start();
    const c = new pg.Client({ connectionString: p.urlOf('postgres') });
    await c.connect();
    await c.query('CREATE DATABASE assay');
    await c.end();
    return p;
  }

  urlOf(db = 'assay'): string {
    return `postgres://assay@127.0.0.1:${this.port}/${db}`;
  }

  async start(): Promise<void> {
    const args = [
      '-D',
      join(this.dir, 'data'),
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
    ];
    this.proc = spawn(`${PG_BIN}/postgres`, args, { uid: this.uid, gid: this.gid, stdio: 'ignore' });
    await until(
      `postgres on ${this.port}`,
      async () => {
        const c = new pg.Client({ connectionString: this.urlOf('postgres'), connectionTimeoutMillis: 1_000 });
        try {
          await c.connect();
          await c.query('SELECT 1');
          return true;
        } finally {
          await c.end().catch(() => {});
        }
      },
      20_000,
    );
  }

  async kill(): Promise<void> {
    if (!this.proc) return;
    this.proc.kill('SIGQUIT');
    const p = this.proc;
    const hard = setTimeout(() => p.kill('SIGKILL'), 5_000);
    await exited(p);
    clearTimeout(hard);
    this.proc = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
