/**
 * What the driver reads from /proc about the processes in the container: which run as a uid,
 * their threads' states, their memory and OOM priority, and who owns which TCP socket. All of it
 * is world-readable, so root without DAC_OVERRIDE or SYS_PTRACE can read it for any uid, and
 * reading needs no new process, which a fork bomb at the pids limit would make impossible.
 */
import { readdirSync, readFileSync } from 'node:fs';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process or thread is gone meanwhile
  }
}

function ownedBy(status: string, uid: number): boolean {
  const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
  return m !== null && (Number(m[1]) === uid || Number(m[2]) === uid);
}

export type Processes = { pid: number; status: string }[];

/** The live (not zombie) processes whose real or effective uid is `uid`, with their status text. */
export function processesOf(uid: number): Processes {
  const found: Processes = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = read(`/proc/${entry}/status`);
    if (status && ownedBy(status, uid) && !/^State:\s+[ZX]/m.test(status)) found.push({ pid: Number(entry), status });
  }
  return found;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone meanwhile */
  }
}

/**
 * Sends `signal` to every process running as `uid` (background and detached children included).
 * For SIGKILL it repeats until none is left, since a fork bomb keeps making more.
 */
export function signalAllOf(uid: number, sig: NodeJS.Signals, maxPasses = sig === 'SIGKILL' ? 50 : 1): void {
  for (let pass = 0; pass < maxPasses; pass++) {
    const procs = processesOf(uid);
    for (const { pid } of procs) signal(pid, sig);
    if (procs.length === 0) return;
  }
}

/** The state letter of each thread of `pid` (R, S, D, T, t, Z…); empty once it is gone. */
export function threadStates(pid: number): string[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const states: string[] = [];
  for (const tid of tids) {
    const stat = read(`/proc/${pid}/task/${tid}/stat`);
    // The command name may hold spaces and parentheses: the state follows the last ')'.
    if (stat) states.push(stat.charAt(stat.lastIndexOf(')') + 2));
  }
  return states;
}

const STOPPED = new Set(['T', 't', 'Z', 'X']);
/** Time for signalled threads to stop before the next look; the event loop may block that long. */
const STOP_WAIT_MS = 0.2;
const nap = new Int32Array(new SharedArrayBuffer(4));

/**
 * Stops (SIGSTOP) every process and thread running as `uid` and checks that they stay stopped:
 * done when two passes in a row find every thread stopped, and then returns those processes. A
 * process forked meanwhile is caught by the next pass; one woken by a sibling's SIGCONT shows up
 * as running and is stopped again (a stopped process cannot wake another). A thread in
 * uninterruptible sleep (D) of a process already signalled counts as stopped: it stops before it
 * runs user code again. Undefined when `timeoutMs` passes first.
 */
export async function stopAllOf(uid: number, timeoutMs: number): Promise<Processes | undefined> {
  const deadline = performance.now() + timeoutMs;
  const signalled = new Set<number>();
  let passes = 0;
  for (let clean = 0; performance.now() < deadline;) {
    const procs = processesOf(uid);
    let running = 0;
    for (const { pid } of procs) {
      const states = threadStates(pid);
      if (states.every((s) => STOPPED.has(s))) continue;
      if (!states.every((s) => STOPPED.has(s) || (s === 'D' && signalled.has(pid)))) running++;
      signal(pid, 'SIGSTOP');
      signalled.add(pid);
    }
    clean = running === 0 ? clean + 1 : 0;
    if (clean === 2) return procs;
    // A clean pass is checked again at once: a sibling's SIGCONT during it shows as running.
    if (clean > 0) continue;
    // A short sleep of the whole thread gives the signalled threads a CPU; every few passes the
    // event loop runs too, so a uid that will not stop cannot hold everything else up.
    Atomics.wait(nap, 0, 0, STOP_WAIT_MS);
    if (++passes % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return undefined;
}

function kbField(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Private memory (anonymous and shared-memory pages) of these processes together, in bytes. */
export function memoryOf(procs: Processes): number {
  return procs.reduce((sum, { status }) => sum + kbField(status, 'RssAnon') + kbField(status, 'RssShmem'), 0);
}

/** The lowest oom_score_adj among these processes (Infinity when there are none). */
export function lowestOomScoreAdj(procs: Processes): number {
  let lowest = Infinity;
  for (const { pid } of procs) {
    const adj = Number(read(`/proc/${pid}/oom_score_adj`));
    if (Number.isFinite(adj)) lowest = Math.min(lowest, adj);
  }
  return lowest;
}

export interface TcpSocket {
  localPort: number;
  remotePort: number;
  /** The kernel's state number: 1 established, 10 listening, 6 time-wait… */
  state: number;
  uid: number;
}

/** Every TCP socket in the container's network namespace (IPv4 and IPv6), from /proc/net/tcp*. */
export function tcpSockets(): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(file) ?? '').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 8) continue;
      const port = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      sockets.push({ localPort: port(f[1]!), remotePort: port(f[2]!), state: parseInt(f[3]!, 16), uid: Number(f[7]) });
    }
  }
  return sockets;
}
