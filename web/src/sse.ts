/**
 * Server-Sent Events over fetch. `EventSource` cannot send `Authorization`, and an organisation's
 * submissions are visible only with its key, so the page reads the stream itself: same format,
 * same `Last-Event-ID` resume after a dropped connection.
 */

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Incremental parser of the `text/event-stream` format (fields `event`, `data`, `id`; comments ignored). */
export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  lastEventId: string | undefined;

  push(chunk: string): SseMessage[] {
    this.buf += chunk;
    const out: SseMessage[] = [];
    let nl: number;
    while ((nl = this.buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buf.slice(0, nl);
      const sep = this.buf.startsWith('\r\n', nl) ? 2 : 1;
      // A lone "\r" at the end of the buffer may be the first half of "\r\n": wait for more.
      if (sep === 1 && this.buf[nl] === '\r' && nl === this.buf.length - 1) break;
      this.buf = this.buf.slice(nl + sep);
      if (line === '') {
        if (this.data.length)
          out.push({ event: this.event || 'message', data: this.data.join('\n'), ...(this.id !== undefined ? { id: this.id } : {}) });
        this.event = '';
        this.data = [];
        this.id = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'id' && !value.includes('\u0000')) this.id = this.lastEventId = value;
    }
    return out;
  }
}

export interface StreamOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Called for each message; return true to stop reading. */
  onMessage(m: SseMessage): boolean | void;
  /** A non-200 answer: the caller decides what to show. */
  onHttpError(res: Response): Promise<void> | void;
  /** Told before each reconnection attempt. */
  onReconnect?(attempt: number, error: unknown): void;
  maxReconnects?: number;
}

/** Reads until `onMessage` says stop, reconnecting with `Last-Event-ID` when the connection drops or ends early. */
export async function streamSse(url: string, opts: StreamOptions): Promise<void> {
  let lastId: string | undefined;
  let answered: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, {
        headers: { accept: 'text/event-stream', ...opts.headers, ...(lastId !== undefined ? { 'last-event-id': lastId } : {}) },
        cache: 'no-store',
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      if (res.status !== 200 || !res.body) {
        answered = res;
        break;
      }
      const parser = new SseParser();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the event stream ended before the result'); // a drop: resume
        for (const m of parser.push(value)) {
          if (parser.lastEventId !== undefined) lastId = parser.lastEventId;
          if (opts.onMessage(m)) {
            await reader.cancel().catch(() => {});
            return;
          }
        }
      }
    } catch (e) {
      if (opts.signal?.aborted) return;
      if (attempt >= (opts.maxReconnects ?? 5)) throw e;
      opts.onReconnect?.(attempt + 1, e);
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 8_000)));
    }
  }
  return opts.onHttpError(answered);
}
