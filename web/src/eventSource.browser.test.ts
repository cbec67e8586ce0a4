/**
 * A standard EventSource in chromium (the browser's own, not the page's fetch reader) against the
 * real API: it gets the steps and the result once, reconnects after the stream ends, is answered
 * 204 because its Last-Event-ID is the result's, and stops for good — no replays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { instantEngine, startTestApi, type TestApi } from '../../api/src/testing';
import { launchChromium } from './testing';

let t: TestApi;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const seen: Array<{ status: number; lastEventId: string | undefined }> = [];

beforeAll(async () => {
  t = await startTestApi(
    'web_event_source',
    { RUN_WORKER: 'true', WORKER_CONCURRENCY: '1', PRACTICE_PROBLEMS: 'lru-cache' },
    instantEngine(),
  );
  browser = await launchChromium({ viewport: { width: 800, height: 600 } });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('response', async (r) => {
    if (!r.url().endsWith('/events')) return;
    seen.push({ status: r.status(), lastEventId: (await r.request().allHeaders())['last-event-id'] });
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('a browser EventSource on a submission', () => {
  it('receives the result once, then stops reconnecting', async () => {
    const res = await t.request('POST', '/v1/submissions', {
      body: { problemId: 'lru-cache', language: 'typescript', files: [{ path: 'solution.ts', content: 'export class LRUCache {}' }] },
    });
    expect(res.status).toBe(202);
    // /healthz is same-origin and has no page script or CSP in the way.
    await page.goto(`${t.url}/healthz`);
    const outcome = await page.evaluate(async (url) => {
      const events: Array<{ type: string; id: string }> = [];
      let opens = 0;
      const es = new EventSource(url);
      es.onopen = () => opens++;
      for (const type of ['status', 'progress', 'result'])
        es.addEventListener(type, (e) => events.push({ type, id: (e as MessageEvent).lastEventId }));
      // Closed by the 204 (readyState CLOSED); chromium waits ~3 s before reconnecting, so allow a few rounds.
      const started = Date.now();
      while (es.readyState !== EventSource.CLOSED && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 100));
      const state = es.readyState;
      // Stay a while longer: a closed EventSource must not come back.
      await new Promise((r) => setTimeout(r, 4_000));
      return { events, opens, state, stateAfter: es.readyState };
    }, `/v1/submissions/${res.body.id}/events`);

    expect(outcome.state).toBe(2); // EventSource.CLOSED
    expect(outcome.stateAfter).toBe(2);
    expect(outcome.events.filter((e) => e.type === 'result')).toHaveLength(1);
    expect(outcome.events.at(-1)?.type).toBe('result');
    expect(outcome.opens).toBe(1);
    // Two requests: the stream, then the reconnection carrying the result's id, answered 204.
    const resultId = outcome.events.at(-1)!.id;
    expect(resultId).toMatch(/^\d+$/);
    expect(seen).toEqual([
      { status: 200, lastEventId: undefined },
      { status: 204, lastEventId: resultId },
    ]);
  });
});
