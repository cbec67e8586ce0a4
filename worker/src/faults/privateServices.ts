/**
 * Private Redis, PostgreSQL and Docker engine for fault and outage tests and benchmarks (the API's
 * outage test uses them too): each runs from a
 * temp dir on loopback or a unix socket, so stopping or restarting one never touches the shared
 * services other tests use. Each `stop()` is safe to call twice and at any point (cleanup paths).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import pg from 'pg';
import { Redis } from 'ioredis';

const execFileAsync = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A child process with its output kept (the tail shows up in failures). */
class Daemon {
  private child: ChildProcess | undefined;
  private out = '';

  constructor(private readonly name: string) {}

  start(cmd: string, args: string[], opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): void {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false, ...opts });
    child.stdout!.on('data', (c) => (this.out = (this.out + String(c)).slice(-20_000)));
    child.stderr!.on('data', (c) => (this.out = (this.out + String(c)).slice(-20_000)));
    child.on('error', (err) => (this.out += `\n${this.name}: ${err.message}`));
    // Never outlive the test process, even when it ends without running its cleanup.
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    child.once('exit', () => process.off('exit', kill));
    this.child = child;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.out;
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

export class PrivateRedis {
  private readonly daemon = new Daemon('redis');
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(dir: string): Promise<PrivateRedis> {
    await mkdir(dir, { recursive: true });
    const r = new PrivateRedis(dir, await freePort());
    await r.start();
    return r;
  }

  /** Same data dir, so the AOF brings the queues back as a restarted production Redis would. */
  async start(): Promise<void> {
    this.daemon.start('redis-server', [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ]);
    await until(
      'redis to answer',
      async () => {
        const c = new Redis(this.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
        c.on('error', () => {});
        try {
          await c.connect();
          return (await c.ping()) === 'PONG' ? true : undefined;
        } finally {
          c.disconnect();
        }
      },
      20_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${this.daemon.output()}`);
    });
  }

  stop(): Promise<void> {
    return this.daemon.stop('SIGTERM');
  }

  /** SIGKILL: gone at once, as a crashed server is. */
  kill(): Promise<void> {
    return this.daemon.stop('SIGKILL');
  }
}

export class PrivatePostgres {
  private readonly daemon = new Daemon('postgres');
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly uid: number,
    private readonly gid: number,
  ) {}

  url(database = 'assay'): string {
    return `postgres://assay@127.0.0.1:${this.port}/${database}`;
  }

  /** initdb into `dir` as the postgres OS user (PostgreSQL refuses to run as root). */
  static async start(dir: string): Promise<PrivatePostgres> {
    const uid = Number((await execFileAsync('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await execFileAsync('id', ['-g', 'postgres'])).stdout.trim());
    await mkdir(dir, { recursive: true });
    await chown(dir, uid, gid);
    await chmod(dir, 0o700);
    await execFileAsync(`${PG_BIN}/initdb`, ['-D', `${dir}/data`, '-U', 'assay', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
      uid,
      gid,
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
    });
    const p = new PrivatePostgres(dir, await freePort(), uid, gid);
    await p.start();
    const c = new pg.Client({ connectionString: p.url('postgres') });
    await c.connect();
    await c.query('CREATE DATABASE assay');
    await c.end();
    return p;
  }

  async start(): Promise<void> {
    this.daemon.start(
      `${PG_BIN}/postgres`,
      ['-D', `${this.dir}/data`, '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
      { uid: this.uid, gid: this.gid, env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } },
    );
    await until(
      'postgres to answer',
      async () => {
        const c = new pg.Client({ connectionString: this.url('postgres'), connectionTimeoutMillis: 2_000 });
        c.on('error', () => {});
        try {
          await c.connect();
          await c.query('SELECT 1');
          return true;
        } finally {
          await c.end().catch(() => {});
        }
      },
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${this.daemon.output()}`);
    });
  }

  /** Fast shutdown (SIGINT): open connections are cut, as in a failover or a restart. */
  stop(): Promise<void> {
    return this.daemon.stop('SIGINT');
  }

  /** Immediate shutdown (SIGQUIT): no checkpoint, connections cut, as in a crash. */
  kill(): Promise<void> {
    return this.daemon.stop('SIGQUIT');
  }
}

export class PrivateDocker {
  private readonly daemon = new Daemon('dockerd');
  readonly docker: Docker;
  private constructor(readonly dir: string) {
    this.docker = new Docker({ socketPath: this.socket });
  }

  get socket(): string {
    return `${this.dir}/docker.sock`;
  }

  /** `dir` should be short: containerd's sockets live under the exec root (108-byte limit). */
  static async start(dir: string): Promise<PrivateDocker> {
    await mkdir(dir, { recursive: true });
    const d = new PrivateDocker(dir);
    await d.start();
    return d;
  }

  async start(): Promise<void> {
    this.daemon.start('dockerd', [
      '--host',
      `unix://${this.socket}`,
      '--data-root',
      `${this.dir}/root`,
      '--exec-root',
      `${this.dir}/exec`,
      '--pidfile',
      `${this.dir}/docker.pid`,
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
      '--shutdown-timeout=2',
    ]);
    await until('the private Docker engine to answer', () => this.docker.ping().then(() => true), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${this.daemon.output().slice(-3000)}`);
    });
  }

  /** SIGTERM: the engine stops its containers and exits, as `systemctl stop docker` does. */
  stop(): Promise<void> {
    return this.daemon.stop('SIGTERM', 60_000);
  }

  /** Sandbox containers on this engine, in any state. */
  async sandboxContainers(): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: JSON.stringify({ label: ['assay.sandbox=1'] }) });
  }

  /** Stops the engine and removes its data (after removing every container it holds). */
  async destroy(): Promise<void> {
    if (this.daemon.running) {
      for (const c of await this.docker.listContainers({ all: true }).catch(() => []))
        await this.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {});
    }
    await this.stop();
    // Mounts the engine may have left (overlay layers, its exec root) before the tree goes.
    await execFileAsync('sh', ['-c', `grep -o ' ${this.dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]).catch(() => {});
    await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }
}
