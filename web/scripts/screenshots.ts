/**
 * Screenshots of the page grading a real solution through Docker (not part of `npm test`: a real
 * grading takes ~30 s), at 1360 px wide and on a 390×844 phone (the result's permanent link), with
 * each page's height printed. Needs the services (`bash scripts/services.sh`), Docker and chromium
 * (`apt-get install -y chromium`).
 *
 *   npx tsx web/scripts/screenshots.ts [problem] [solution file] [out dir]
 *   npx tsx web/scripts/screenshots.ts lru-cache problems/lru-cache/solutions/array-indexof.ts /tmp/shots
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { loadConfig, createLogger } from '@assay/platform';
import { createGradingEngine } from '@assay/worker';
import { startTestApi } from '../../api/src/testing';

const [problem = 'lru-cache', file = 'problems/lru-cache/reference/solution.ts', out = join(tmpdir(), 'assay-shots')] =
  process.argv.slice(2);
const language = /\.[cm]?ts$/.test(extname(file)) ? 'typescript' : 'javascript';
mkdirSync(out, { recursive: true });

// The API serves web/dist/: rebuild it first when a source is newer.
execFileSync('bash', [fileURLToPath(new URL('./ensure-built.sh', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
const t = await startTestApi('web-shots', { RUN_WORKER: 'true', WORKER_CONCURRENCY: '1' }, async () =>
  createGradingEngine(loadConfig(), createLogger({ logLevel: 'silent' }, 'shots')),
);
const profile = mkdtempSync(join(tmpdir(), 'assay-chromium-'));
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ARGS,
  viewport: { width: 1360, height: 900 },
});
const height = (page: Page) => page.evaluate(() => document.documentElement.scrollHeight);
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${t.url}/problems/${problem}`);
  await page.waitForSelector('.statement h1');
  await page.selectOption('select[aria-label=language]', language);
  await page.fill('textarea.editor', readFileSync(file, 'utf8'));
  await page.screenshot({ path: join(out, 'problem.png'), fullPage: true });
  await page.click('button.primary');
  await page.waitForSelector('.progress-steps li:has-text("suite:")', { timeout: 120_000 });
  await page.screenshot({ path: join(out, 'progress.png') });
  await page.waitForSelector('.result .badge', { timeout: 300_000 });
  await page.locator('.submission-id').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, 'result.png'), fullPage: true });
  console.log(
    `${await page.locator('.result .badge').first().innerText()} ${await page.locator('.result .score').innerText()} — screenshots in ${out}`,
  );
  console.log(`1360 px wide: result page ${await height(page)} px high`);
  const id = (await page.locator('.submission-id code').innerText()).trim();

  const phone = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
  try {
    const p = await phone.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const keyField = async () => {
      const box = await p.locator('#api-key').boundingBox();
      return box && box.width > 0
        ? `API-key field shown (x=${Math.round(box.x)}, ${Math.round(box.width)} px wide)`
        : 'API-key field NOT shown';
    };
    const size = async () =>
      `${await height(p)} px high, ${await p.evaluate(() => document.documentElement.scrollWidth)} px wide; ${await keyField()}`;
    await p.goto(`${t.url}/problems/${problem}`);
    await p.waitForSelector('.statement h1');
    await p.selectOption('select[aria-label=language]', language);
    await p.fill('textarea.editor', readFileSync(file, 'utf8'));
    await p.screenshot({ path: join(out, 'phone-problem.png'), fullPage: true });
    console.log(`390×844: problem page ${await size()}`);
    await p.click('button.primary');
    await p.waitForSelector('.result .badge', { timeout: 300_000 });
    await p.locator('.result-head').scrollIntoViewIfNeeded();
    await p.screenshot({ path: join(out, 'phone-problem-result.png'), fullPage: true });
    console.log(`390×844: problem page with its result ${await size()}`);
    await p.goto(`${t.url}/submissions/${id}`);
    await p.waitForSelector('.result .badge');
    await p.screenshot({ path: join(out, 'phone-result-top.png') });
    await p.screenshot({ path: join(out, 'phone-result.png'), fullPage: true });
    console.log(`390×844: result page ${await size()}`);
  } finally {
    await phone.close();
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  await t.close();
}
