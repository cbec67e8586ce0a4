/**
 * The driver ↔ subject protocol: JSON lines over the subject's fd 3 (a socket pair).
 *
 * Either side sends requests `{t:'req', id, op, ...body}` and answers
 * `{t:'res', id, ok:true, value}` or `{t:'res', id, ok:false, error}`, so many calls are in flight
 * at once in both directions (the driver calls candidate code; the candidate calls back into
 * driver-owned stores). `ops.ts` types every op; `codec.ts` encodes the values.
 * Nothing the subject sends is trusted: the driver passes `PeerChecks` and `UNTRUSTED_PEER_LIMITS`,
 * which bound what one line, the requests being served and the unread answers may cost it.
 */
import type { Duplex } from 'node:stream';
import { errorToWire, MAX_DEPTH, type WireError } from './codec';
import { lineShapeWithin } from './lineScan';
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

/** What the peer may make this side hold. Going past a limit closes the channel (a protocol error). */
export interface ChannelLimits {
  /** UTF-8 bytes of one line, checked before it is decoded or parsed. */
  maxLineBytes: number;
  /** Brackets open at once in one line, checked before it is parsed. */
  maxNesting: number;
  /** Objects and arrays in one line, checked before it is parsed. */
  maxContainers: number;
  /** Requests from the peer being served at once, and the bytes of their lines. */
  maxInFlight: number;
  maxInFlightBytes: number;
  /**
   * Bytes of our own lines the peer has not read yet. Past `pauseAt` this side stops reading
   * until they drain (a peer that never reads cannot make us answer more); past `max` it closes.
   * Only a checking side pauses: two sides pausing on each other would never resume.
   */
  writeBuffer: { pauseAt: number; max: number };
}

/** Encoded values nest at most MAX_DEPTH; escapes ({$esc}) and the envelope add levels. */
const WIRE_NESTING = 2 * MAX_DEPTH + 8;

/** The subject's side: the driver is trusted, and its batches (`prepare`) can be large. */
export const TRUSTING_LIMITS: ChannelLimits = {
  maxLineBytes: 64 * 1024 * 1024,
  maxNesting: WIRE_NESTING,
  maxContainers: Infinity,
  maxInFlight: Infinity,
  maxInFlightBytes: Infinity,
  writeBuffer: { pauseAt: Infinity, max: Infinity },
};

/** The driver's side: far below what would strain its heap, far above what a solution sends. */
export const UNTRUSTED_PEER_LIMITS: ChannelLimits = {
  maxLineBytes: 4 * 1024 * 1024,
  maxNesting: WIRE_NESTING,
  maxContainers: 200_000,
  maxInFlight: 10_000,
  maxInFlightBytes: 32 * 1024 * 1024,
  writeBuffer: { pauseAt: 1024 * 1024, max: 64 * 1024 * 1024 },
};

/** Closes the channel: the peer broke the protocol (the driver kills a subject for it). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

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
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private inFlight = 0;
  private inFlightBytes = 0;
  private paused = false;
  private closedError: Error | undefined;
  private readonly closeListeners: ((e: Error) => void)[] = [];
  private readonly limits: ChannelLimits;

  constructor(
    private readonly stream: Duplex,
    private readonly handlers: Handlers<Local>,
    private readonly checks: PeerChecks<Local, Remote> | typeof TRUSTED_PEER,
    limits: Partial<ChannelLimits> = {},
  ) {
    this.limits = { ...TRUSTING_LIMITS, ...limits };
    stream.on('data', (chunk: Buffer) => this.receive(chunk));
    stream.on('drain', () => this.resumeIfDrained());
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
    const buffered = this.stream.writableLength;
    if (buffered > this.limits.writeBuffer.max) return this.close(new ProtocolError('protocol: the peer does not read its answers'));
    if (buffered > this.limits.writeBuffer.pauseAt && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
  }

  private resumeIfDrained(): void {
    if (!this.paused || this.closedError || this.stream.writableLength > this.limits.writeBuffer.pauseAt) return;
    this.paused = false;
    this.stream.resume();
  }

  private receive(chunk: Buffer): void {
    // Only the new chunk is searched for line ends: a long line costs linear time, not quadratic.
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      const end = chunk.subarray(from, nl);
      from = nl + 1;
      if (this.partialBytes + end.length > this.limits.maxLineBytes) return this.close(new ProtocolError('protocol line too long'));
      const line = this.partial.length > 0 ? Buffer.concat([...this.partial, end]) : end;
      this.partial = [];
      this.partialBytes = 0;
      if (line.length > 0) this.dispatchSafely(line);
      if (this.closedError) return;
    }
    if (from === chunk.length) return;
    this.partial.push(chunk.subarray(from));
    this.partialBytes += chunk.length - from;
    if (this.partialBytes > this.limits.maxLineBytes) this.close(new ProtocolError('protocol line too long'));
  }

  /** A bug of ours on a strange line must close the channel, not throw out of a stream event. */
  private dispatchSafely(line: Buffer): void {
    try {
      this.dispatch(line);
    } catch (e) {
      this.close(new ProtocolError(`protocol corrupted: ${errorToWire(e).message}`));
    }
  }

  private dispatch(line: Buffer): void {
    const shape = lineShapeWithin(line, this.limits.maxNesting, this.limits.maxContainers);
    if (shape !== 'ok') return this.close(new ProtocolError(`protocol corrupted: a line ${shape}`));
    let msg: unknown;
    try {
      msg = JSON.parse(line.toString('utf8'));
    } catch {
      return this.close(new ProtocolError('protocol corrupted: a line is not JSON'));
    }
    if (typeof msg !== 'object' || msg === null) return this.close(new ProtocolError('protocol corrupted: unknown message'));
    const m = msg as Record<string, unknown>;
    if (m.t === 'res' && typeof m.id === 'number') {
      const p = this.pending.get(m.id);
      if (!p) return; // late answer to a call we gave up on
      const answer = this.answerOf(p.op, m);
      if (!answer) return this.close(new ProtocolError(`protocol corrupted: a malformed answer to ${p.op}`));
      this.pending.delete(m.id);
      p.resolve(answer);
    } else if (m.t === 'req' && typeof m.id === 'number' && typeof m.op === 'string') {
      this.admit(m.id, m.op, m, line.length);
    } else {
      this.close(new ProtocolError('protocol corrupted: unknown message'));
    }
  }

  /** Serves a request unless the peer already has too many (or too large ones) being served. */
  private admit(id: number, op: string, body: Record<string, unknown>, bytes: number): void {
    if (this.inFlight + 1 > this.limits.maxInFlight || this.inFlightBytes + bytes > this.limits.maxInFlightBytes)
      return this.close(new ProtocolError('protocol: too many requests in flight'));
    this.inFlight++;
    this.inFlightBytes += bytes;
    const done = () => {
      this.inFlight--;
      this.inFlightBytes -= bytes;
    };
    // A request waits for the microtasks already queued: an answer that arrived in the same
    // chunk resumes the code awaiting it before the next call runs, as over a real network.
    setImmediate(() => this.serve(id, op, body).then(done, done));
  }

  /** The answer in `m`, or undefined when it breaks the protocol. */
  private answerOf(op: string, m: Record<string, unknown>): Answer<unknown> | undefined {
    if (this.checks === TRUSTED_PEER) return m.ok === true ? { ok: true, value: m.value } : { ok: false, error: m.error as WireError };
    if (m.ok === true) return this.checks.answers[op]!(m.value) ? { ok: true, value: m.value } : undefined;
    if (m.ok === false) return this.checks.error(m.error) ? { ok: false, error: m.error } : undefined;
    return undefined;
  }

  private async serve(id: number, op: string, body: Record<string, unknown>): Promise<void> {
    if (this.closedError) return;
    let answer: object;
    try {
      answer = { t: 'res', id, ok: true, value: await this.handle(op, body) };
    } catch (e) {
      answer = { t: 'res', id, ok: false, error: errorToWire(e) };
    }
    try {
      this.send(answer);
    } catch (e) {
      // The value could not be written as JSON (a handler returned something unencoded).
      this.send({ t: 'res', id, ok: false, error: errorToWire(e) });
    }
  }

  private handle(op: string, body: Record<string, unknown>): Promise<unknown> {
    // Own keys only: an op named `toString` or `__proto__` must not find Object.prototype's.
    if (!Object.hasOwn(this.handlers, op)) throw new Error(`unsupported op ${op}`);
    const key: keyof Local = op;
    if (this.checks !== TRUSTED_PEER && !this.checks.requests[key](body)) throw new TypeError(`malformed ${op} request`);
    return this.handlers[key](body as BodyOf<Local, typeof key>);
  }
}
