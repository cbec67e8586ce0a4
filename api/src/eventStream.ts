/**
 * A submission's Server-Sent Events: replays the progress so far, streams new steps as the worker
 * publishes them, then sends the final `result` and ends. Every event carries an id: a step's is its
 * sequence number in the progress log, the `result`'s is one past the last step. A client resuming
 * with `Last-Event-ID` gets only what it has not seen; one that has seen the result of a finished
 * submission gets 204, which per the SSE spec makes an `EventSource` stop reconnecting.
 */
import type { Request, Response } from 'express';
import { isFinished } from '@assay/contracts';
import { getSubmission, readProgress, type SequencedMessage, type Submission } from '@assay/platform';
import type { ApiContext } from './context';
import { presentSubmission } from './presenters';

/** The Last-Event-ID a client sent: our ids are non-negative integers; anything else means "from the start". */
export function lastEventId(req: Request): number {
  const raw = req.get('Last-Event-ID')?.trim() ?? '';
  return /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
}

export async function streamSubmissionEvents(ctx: ApiContext, req: Request, res: Response, sub: Submission): Promise<void> {
  let lastSeq = lastEventId(req);
  const readLog = () => readProgress(ctx.redis, ctx.config.queuePrefix, sub.id);
  // A finished submission's stream is its log then the result (id log length + 1): seen all of it, nothing to send.
  // Without the log (Redis unreachable) we cannot tell, so the result goes out again rather than a 204.
  const finishedLog = isFinished(sub.status) ? await readLog().catch(() => null) : undefined;
  if (finishedLog && lastSeq >= finishedLog.length + 1) {
    res.status(204).set('Cache-Control', 'no-store').end();
    return;
  }

  const open = () => {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
  };
  const send = (event: string, data: unknown, id: number) => {
    if (!res.writableEnded) res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  let finished = false;
  const cleanups: Array<() => void> = [];
  const end = () => {
    if (finished) return;
    finished = true;
    for (const c of cleanups) c();
    res.end();
  };
  req.on('close', end);

  const deliver = (m: SequencedMessage) => {
    if (m.seq <= lastSeq || finished) return;
    lastSeq = m.seq;
    if (m.type === 'progress') send('progress', m.event, m.seq);
    else send('status', { status: m.status, ...(m.message ? { message: m.message } : {}) }, m.seq);
  };
  // A live final status ends the stream even when its seq was skipped (a Last-Event-ID from elsewhere).
  const onLive = (m: SequencedMessage) => {
    deliver(m);
    if (m.type === 'status' && isFinished(m.status)) void finishWith().catch(() => end());
  };
  const finishWith = async (log?: SequencedMessage[]) => {
    if (finished) return;
    const now = await getSubmission(ctx.pool, sub.id);
    if (!now || !isFinished(now.status)) return;
    // Steps not delivered yet (the poll saw the end first) go out before the result, so its id is past all of them.
    for (const m of log ?? (await readLog().catch((): SequencedMessage[] => []))) deliver(m);
    if (finished) return;
    send('result', presentSubmission(now), lastSeq + 1);
    end();
  };

  if (finishedLog !== undefined) {
    open();
    await finishWith(finishedLog ?? []);
    return;
  }
  // Subscribe first, then replay: anything published in between arrives twice and is dropped by seq.
  // Both before the headers, so that Redis being unreachable is a 503 rather than a stream that ends at once.
  const buffered: SequencedMessage[] = [];
  let replaying = true;
  cleanups.push(await ctx.hub.subscribe(sub.id, (m) => (replaying ? buffered.push(m) : onLive(m))));
  const log = await readLog().catch((e: unknown) => {
    for (const c of cleanups) c();
    throw e;
  });
  open();
  // A snapshot of the status before any step: id 0, so resuming from it replays everything.
  if (lastSeq === 0 && log.length === 0) send('status', { status: sub.status }, 0);
  for (const m of log) deliver(m);
  replaying = false;
  for (const m of buffered) onLive(m);
  // Fallbacks: a heartbeat keeps proxies from closing the stream; a slow poll of PostgreSQL ends it even if a message was lost.
  const heartbeat = setInterval(() => !res.writableEnded && res.write(': keep-alive\n\n'), ctx.config.sseHeartbeatMs);
  const poll = setInterval(() => void finishWith().catch(() => {}), 5_000);
  cleanups.push(
    () => clearInterval(heartbeat),
    () => clearInterval(poll),
  );
  await finishWith(log);
}
