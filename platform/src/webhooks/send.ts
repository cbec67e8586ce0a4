import http from 'node:http';
import https from 'node:https';
import { checkCallbackUrl, guardedLookup, type CallbackPolicy } from './callbackUrl';

export interface SendOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * POSTs one webhook. Re-checks the URL (scheme, IP literals) and connects through a DNS lookup
 * that refuses disallowed addresses. Reads at most 4 KiB of the answer; never follows redirects.
 */
export async function sendWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  policy: CallbackPolicy,
  timeoutMs: number,
): Promise<SendOutcome> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): SendOutcome => ({
    statusCode,
    error,
    durationMs: performance.now() - started,
  });
  let url: URL;
  try {
    url = await checkCallbackUrl(rawUrl, policy);
  } catch (e) {
    return done(null, (e as Error).message);
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Assay-Webhooks/1',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
        lookup: guardedLookup(policy),
        timeout: timeoutMs,
      },
      (res) => {
        let seen = 0;
        res.on('data', (c: Buffer) => {
          seen += c.length;
          if (seen > 4096) res.destroy();
        });
        const finish = () =>
          resolve(
            done(res.statusCode ?? null, res.statusCode && res.statusCode >= 200 && res.statusCode < 300 ? null : `HTTP ${res.statusCode}`),
          );
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve(done(null, e.message)));
    req.end(body);
  });
}
