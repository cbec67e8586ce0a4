/**
 * The driver ↔ subject protocol: JSON lines over the subject's fd 3 (a socket pair).
 *
 * Either side sends requests `{t:'req', id, op, ...body}` and answers
 * `{t:'res', id, ok:true, value}` or `{t:'res', id, ok:false, error}`, so many calls are in flight
 * at once in both directions (the driver calls candidate code; the candidate calls back into
 * driver-owned stores). `ops.ts` types every op; `codec.ts` encodes the values.
 * Nothing the subject sends is trusted: the driver passes `PeerChecks` and bounds line length.
 */
import type { Duplex } from 'node:stream';
import { errorToWire, type WireError } from './codec';
import type { BodyOf, OpMap, ValueOf } from './ops';

export type Answer<V> = { ok: true; value: V } | { ok: false; error: WireError };

/** One handler per op served on this side. */
export type Handlers<M extends OpMap> = { [K in keyof M]: (body: BodyOf<M, K>) => Promise<ValueOf<M, K>> };

type Guard<T> = (x: unknown) => x is T;

/** Checks of what an untrusted peer sends. */
export interface PeerChecks<Local extends OpMap, Remote extends OpMap> {
  /** Bodies of the requests we serve: one that fails is answered with an error. */
  requests: { [K in keyof Local]: Guard<BodyOf<Local, K>> };
  /** Values of the peer's answers: one that fails closes the channel. */
  answers: { [K in keyof Remote]: Guard<ValueOf<Remote, K>> };
  /** The error of a failed answer: one that fails closes the channel. */
  error: Guard<WireError>;
}

/** The subject trusts the driver and takes what it sends as typed. */
export const TRUSTED_PEER = 'trusted peer';

interface Pending {
  op: string;
  resolve: (answer: Answer<unknown>) => void;
  reject: (e: Error) => void;
}

/**
 * Request/response correlation over a duplex stream of JSON lines. `handlers` serve the other
 * side's requests (`Local` ops); `request` sends ours (`Remote` ops). Closing, a malformed line
 * or a malformed answer fails every pending call.
 */
export class RpcChannel<Local extends OpMap, Remote extends OpMap> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The start of a line whose end has not arrived yet. */
  private buffer = '';
  private closedError: Error | undefined;
  private readonly closeListeners: ((e: Error) => void)[] = [];

  constructor(
    private readonly stream: Duplex,
    private readonly handlers: Handlers<Local>,
    private readonly checks: PeerChecks<Local, Remote> | typeof TRUSTED_PEER,
    /** In UTF-16 code units, as the stream is decoded. */
    private readonly maxLineBytes = 64 * 1024 * 1024,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.receive(chunk));
    stream.on('end', () => this.close(new Error('channel closed')));
    stream.on('close', () => this.close(new Error('channel closed')));
    stream.on('error', (e) => this.close(e));
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  onClose(listener: (e: Error) => void): void {
    if (this.closedError) listener(this.closedError);
    else this.closeListeners.push(listener);
  }

  /** Resolves with the peer's answer (errors as values); rejects only when the channel closes. */
  request<K extends keyof Remote & string>(op: K, body: BodyOf<Remote, K>): Promise<Answer<ValueOf<Remote, K>>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<Answer<ValueOf<Remote, K>>>((resolve, reject) => {
      // Only answers that passed this op's check reach `resolve` (see `answerOf`).
      this.pending.set(id, { op, resolve: resolve as (answer: Answer<unknown>) => void, reject });
      this.send({ t: 'req', id, op, ...body });
    });
  }

  close(reason: Error): void {
    if (this.closedError) return;
    this.closedError = reason;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    for (const l of this.closeListeners) l(reason);
    this.stream.destroy();
  }

  private send(message: object): void {
    if (this.closedError) return;
    this.stream.write(`${JSON.stringify(message)}\n`);
  }

  private receive(chunk: string): void {
    // Only the new chunk is searched for line ends: a long line costs linear time, not quadratic.
    let from = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', from)) >= 0) {
      const line = this.buffer + chunk.slice(from, nl);
      this.buffer = '';
      from = nl + 1;
      if (line.length > this.maxLineBytes) return this.close(new Error('protocol line too long'));
      if (line.length > 0) this.dispatch(line);
      if (this.closedError) return;
    }
    this.buffer += chunk.slice(from);
    if (this.buffer.length > this.maxLineBytes) this.close(new Error('protocol line too long'));
  }

  private dispatch(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return this.close(new Error('protocol corrupted: a line is not JSON'));
    }
    if (typeof msg !== 'object' || msg === null) return this.close(new Error('protocol corrupted: unknown message'));
    const m = msg as Record<string, unknown>;
    if (m.t === 'res' && typeof m.id === 'number') {
      const p = this.pending.get(m.id);
      if (!p) return; // late answer to a call we gave up on
      const answer = this.answerOf(p.op, m);
      if (!answer) return this.close(new Error(`protocol corrupted: a malformed answer to ${p.op}`));
      this.pending.delete(m.id);
      p.resolve(answer);
    } else if (m.t === 'req' && typeof m.id === 'number' && typeof m.op === 'string') {
      const { id, op } = m;
      // A request waits for the microtasks already queued: an answer that arrived in the same
      // chunk resumes the code awaiting it before the next call runs, as over a real network.
      setImmediate(() => this.serve(id, op, m));
    } else {
      this.close(new Error('protocol corrupted: unknown message'));
    }
  }

  /** The answer in `m`, or undefined when it breaks the protocol. */
  private answerOf(op: string, m: Record<string, unknown>): Answer<unknown> | undefined {
    if (this.checks === TRUSTED_PEER) return m.ok === true ? { ok: true, value: m.value } : { ok: false, error: m.error as WireError };
    if (m.ok === true) return this.checks.answers[op]!(m.value) ? { ok: true, value: m.value } : undefined;
    if (m.ok === false) return this.checks.error(m.error) ? { ok: false, error: m.error } : undefined;
    return undefined;
  }

  private serve(id: number, op: string, body: Record<string, unknown>): void {
    if (this.closedError) return;
    let result: Promise<unknown>;
    try {
      result = this.handle(op, body);
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (value) => this.send({ t: 'res', id, ok: true, value }),
      (e) => this.send({ t: 'res', id, ok: false, error: errorToWire(e) }),
    );
  }

  private handle(op: string, body: Record<string, unknown>): Promise<unknown> {
    // Own keys only: an op named `toString` or `__proto__` must not find Object.prototype's.
    if (!Object.hasOwn(this.handlers, op)) throw new Error(`unsupported op ${op}`);
    const key: keyof Local = op;
    if (this.checks !== TRUSTED_PEER && !this.checks.requests[key](body)) throw new TypeError(`malformed ${op} request`);
    return this.handlers[key](body as BodyOf<Local, typeof key>);
  }
}
