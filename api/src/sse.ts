/** A minimal Server-Sent Events reader over fetch, for tests and the bench. */
export interface SseEvent {
  event: string;
  id?: string;
  // Parsed JSON from our own API, read by tests and benchmarks that know its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/** Reads events until the server ends the stream (or `until` returns true). */
export async function readSse(
  url: string,
  opts: { headers?: Record<string, string>; until?: (e: SseEvent) => boolean; signal?: AbortSignal } = {},
): Promise<SseEvent[]> {
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...opts.headers },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (res.status !== 200 || !res.body) throw new Error(`SSE ${url} answered ${res.status}: ${await res.text()}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const e: SseEvent = { event: 'message', data: undefined };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const [k, ...rest] = line.split(':');
        const v = rest.join(':').replace(/^ /, '');
        if (k === 'event') e.event = v;
        else if (k === 'id') e.id = v;
        else if (k === 'data') data.push(v);
      }
      if (!data.length) continue;
      e.data = JSON.parse(data.join('\n'));
      events.push(e);
      if (opts.until?.(e)) {
        await reader.cancel().catch(() => {});
        return events;
      }
    }
  }
  return events;
}
