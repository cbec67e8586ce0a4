import { Router } from 'express';
import { metricsRegistry } from '@assay/platform';
import type { ApiContext } from '../context';
import { answerOtherMethods } from '../routing';

async function check(fn: () => Promise<unknown>, timeoutMs = 3_000): Promise<{ ok: boolean; detail?: string }> {
  try {
    await Promise.race([
      fn(),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { ok: true };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

export function healthRouter(ctx: ApiContext): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  r.get('/readyz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {
      postgres: await check(() => ctx.pool.query('SELECT 1')),
      redis: await check(() => ctx.redis.ping()),
    };
    if (ctx.dockerPing) checks.docker = await check(ctx.dockerPing);
    else
      checks.workers = await check(async () => {
        // Graders run elsewhere: ready when at least one worker consumes the grading queue.
        const workers = await ctx.queues.grading.getWorkers();
        if (!workers.length) throw new Error('no grading worker is connected to the queue');
      });
    const ready = Object.values(checks).every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unready', checks });
  });

  r.get('/metrics', async (_req, res) => {
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
  return answerOtherMethods(r);
}
