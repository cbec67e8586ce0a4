/** For the browser tests: Debian's chromium, headless, quiet and offline, with a fresh profile. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import type { ProgressEvent, Result } from '@assay/contracts';
import type { GradingEngine } from '@assay/worker';

export const CHROMIUM = '/usr/bin/chromium';
// playwright adds --headless itself (headless: true); the rest keep a CI browser quiet and offline.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `chromium is not installed (${CHROMIUM}): the browser tests need it; ` +
        "install it with 'bash scripts/ensure-chromium.sh' (Debian's package, as npm test does)",
    );
}

/** A browser context on a throw-away profile; `close()` also removes the profile. */
export async function launchChromium(opts: {
  viewport: { width: number; height: number };
  mobile?: boolean;
}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'assay-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport,
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const XSS = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;

/** A result as the grader would write it, with markup wherever the candidate controls a string. */
export function hostileResult(problemId: string, language: Result['language']): Result {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    verdict: 'partial',
    score: 82.5,
    summary: `Every correctness test passed, but \`get\` grows linearly with the cache size. ${XSS}`,
    problem: { id: problemId, version: '1.0.0' },
    language,
    suites: [
      {
        name: 'correctness',
        weight: 60,
        passed: 17,
        total: 18,
        tests: [
          {
            name: 'evicts the least recently used key',
            status: 'passed',
            durationMs: 3.2,
            sample: true,
            expected: [1, null, 3],
            actual: [1, null, 3],
          },
          {
            name: `sample: get refreshes recency ${XSS}`,
            status: 'failed',
            durationMs: 1.4,
            sample: true,
            message: `expected 'two' but got ${XSS}`,
            expected: { get: 'two' },
            actual: { get: XSS },
          },
          ...Array.from({ length: 15 }, (_v, i) => ({
            name: `hidden #${i + 1}`,
            status: 'passed' as const,
            durationMs: 0.5 + i / 10,
            sample: false,
          })),
          { name: 'hidden #16', status: 'timeout', durationMs: 2000, sample: false, message: 'timed out after 2000 ms' },
        ],
      },
      { name: 'latency', weight: 10, passed: 2, total: 3, tests: [] },
      { name: 'complexity', weight: 30, passed: 1, total: 2, tests: [] },
    ],
    latency: [
      {
        operation: 'get',
        unit: 'us',
        candidate: { p50: 1.9, p95: 2.6, p99: 4.1 },
        reference: { p50: 0.8, p95: 1.1, p99: 1.9 },
        ratio: 2.4,
        allowedRatio: 5,
        passed: true,
      },
      {
        operation: 'put (evicting)',
        unit: 'us',
        candidate: { p50: 41.5, p95: 60.2, p99: 80 },
        reference: { p50: 1.1, p95: 1.5, p99: 2.2 },
        ratio: 37.7,
        allowedRatio: 5,
        passed: false,
      },
    ],
    complexity: [
      {
        operation: 'get',
        sizes: [256, 1024, 4096, 16384, 65536],
        nsPerOp: [40, 41, 43, 42, 44],
        exponent: 0.02,
        interval: [-0.03, 0.06],
        class: 'sublinear',
        confident: true,
        expected: 'sublinear',
      },
      {
        operation: 'put',
        sizes: [256, 1024, 4096, 16384, 65536],
        nsPerOp: [300, 1200, 4900, 19500, 80000],
        exponent: 1.01,
        interval: [0.96, 1.05],
        class: 'linear',
        confident: true,
        expected: 'sublinear',
        hint: `\`put\` grows linearly with the cache size; expected sublinearly. Keep a Map from key to a linked-list node. ${XSS}`,
      },
    ],
    staticHints: [
      {
        file: 'solution.ts',
        line: 12,
        pattern: 'indexOf',
        message: `\`indexOf\` on the key list inside \`put\` scans every key ${XSS}`,
        status: 'confirmed',
      },
    ],
    compile: {
      ok: true,
      diagnostics: [{ file: 'solution.ts', line: 3, column: 7, message: `'unused' is declared but never used ${XSS}` }],
    },
    resources: { cpuMs: 1840, peakMemoryBytes: 61_000_000, wallMs: 5230 },
    output: { stdout: `debug: cache size 2\n${XSS}\n`, stderr: 'warning: something odd\n', truncated: false },
    timings: { queuedAt: now, startedAt: now, finishedAt: now },
    graderVersion: 'test-engine/1',
  };
}

/** Streams a few steps with pauses (so the page shows them live), then the hostile result. */
export const scriptedEngine: GradingEngine = {
  async grade(req, opts) {
    const steps: ProgressEvent[] = [
      { stage: 'preparing', message: 'starting the sandbox' },
      { stage: 'compiling' },
      ...[6, 12, 18].map((done): ProgressEvent => ({ stage: 'suite', suite: 'correctness', done, total: 18 })),
      { stage: 'suite', suite: 'latency', done: 3, total: 3 },
      { stage: 'suite', suite: 'complexity', done: 2, total: 2 },
    ];
    for (const s of steps) {
      opts?.onProgress?.(s);
      await new Promise((r) => setTimeout(r, 60));
    }
    return hostileResult(req.problem.manifest.id, req.language);
  },
  reapOrphans: async () => 0,
  ping: async () => {},
  close: async () => {},
};
