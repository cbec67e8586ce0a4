/**
 * The driver ↔ subject protocol: JSON lines over the subject's fd 3 (a socket pair).
 *
 * Either side sends requests `{t:'req', id, op, ...}` and answers `{t:'res', id, ok, value|error}`,
 * so many calls are in flight at once in both directions (the driver calls candidate code; the
 * candidate calls back into driver-owned stores). Values are encoded by `codec.ts`.
 * Nothing the subject sends is trusted: the driver validates shapes and bounds line length.
 */
import type { Duplex } from 'node:stream';
import { errorToWire, type WireError } from './codec';

export type Op = 'load' | 'construct' | 'call' | 'prop' | 'prepare' | 'run' | 'gc' | 'release' | 'serve' | 'invoke';

export interface Request {
  t: 'req';
  id: number;
  op: Op;
  [field: string]: unknown;
}

export interface Response {
  t: 'res';
  id: number;
  ok: boolean;
  value?: unknown;
  error?: WireError;
}

type Handler = (req: Request) => Promise<unknown>;

/**
 * Request/response correlation over a duplex stream of JSON lines. `onRequest` serves the other
 * side's requests; `request` sends ours. Closing (or a malformed line) fails every pending call.
 */
export class RpcChannel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void }>();
  private buffer = '';
  private closedError: Error | undefined;
  private readonly closeListeners: ((e: Error) => void)[] = [];

  constructor(
    private readonly stream: Duplex,
    private readonly onRequest: Handler,
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

  request(op: Op, fields: Record<string, unknown> = {}): Promise<Response> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<Response>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ t: 'req', id, op, ...fields });
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

  private send(message: Request | Response): void {
    if (this.closedError) return;
    this.stream.write(`${JSON.stringify(message)}\n`);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > this.maxLineBytes) return this.close(new Error('protocol line too long'));
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.length > 0) this.dispatch(line);
      if (this.closedError) return;
    }
  }

  private dispatch(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return this.close(new Error('protocol corrupted: a line is not JSON'));
    }
    const m = msg as { t?: unknown; id?: unknown; op?: unknown };
    if (m.t === 'res' && typeof m.id === 'number') {
      const p = this.pending.get(m.id);
      if (!p) return; // late answer to a call we gave up on
      this.pending.delete(m.id);
      p.resolve(m as unknown as Response);
    } else if (m.t === 'req' && typeof m.id === 'number' && typeof m.op === 'string') {
      const id = m.id;
      // A request waits for the microtasks already queued: an answer that arrived in the same
      // chunk resumes the code awaiting it before the next call runs, as over a real network.
      setImmediate(() => this.serve(id, m as unknown as Request));
    } else {
      this.close(new Error('protocol corrupted: unknown message'));
    }
  }

  private serve(id: number, req: Request): void {
    if (this.closedError) return;
    this.onRequest(req).then(
      (value) => this.send({ t: 'res', id, ok: true, value }),
      (e) => this.send({ t: 'res', id, ok: false, error: errorToWire(e) }),
    );
  }
}
