/**
 * The page in a real browser (Debian's chromium, driven by playwright-core) against the real API,
 * with a scripted grading engine so results are instant and deterministic, and hostile on purpose:
 * its result carries markup in every candidate-controlled string. Checks the candidate flow
 * (problems → statement → language → submit → live steps → result), API errors, and the dashboard
 * (list, compare, open, CSV), at desktop size and at phone size, where the page must stay usable:
 * nothing wider than the screen, the key field, the Submit button and the result on it. Fails when
 * chromium is missing (`bash scripts/ensure-chromium.sh`, which `npm test` runs). Serves web/dist/,
 * rebuilt first when a source is newer. Set SCREENSHOT_DIR to keep PNGs of each page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@assay/platform';
import { loadProblem } from '@assay/sdk/package';
import { startTestApi, type TestApi } from '../../api/src/testing';
import { CHROMIUM, CHROMIUM_ARGS, scriptedEngine } from './testing';

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800, mobile: false },
  { name: 'phone', width: 390, height: 844, mobile: true },
] as const;
describe('the web page in a browser', () => {
  let t: TestApi;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `chromium is not installed (${CHROMIUM}): the browser tests need it; ` +
          "install it with 'bash scripts/ensure-chromium.sh' (Debian's package, as npm test does)",
      );
    execFileSync('bash', ['web/scripts/ensure-built.sh'], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    t = await startTestApi('web-browser', { RUN_WORKER: 'true', WORKER_CONCURRENCY: '2', PRACTICE_PROBLEMS: 'lru-cache' }, scriptedEngine);
    problems.push(...((await t.request('GET', '/v1/problems')).body.items as Array<{ id: string }>).map((p) => p.id));
  });

  afterAll(async () => {
    await t?.close();
  });

  for (const viewport of VIEWPORTS)
    describe(`at ${viewport.name} size (${viewport.width}×${viewport.height})`, () => {
      let context: BrowserContext;
      let page: Page;
      let key: string;
      const errors: string[] = [];
      const shots = process.env.SCREENSHOT_DIR;
      const profile = mkdtempSync(join(tmpdir(), 'assay-chromium-'));

      const shot = async (name: string) => {
        if (!shots) return;
        mkdirSync(shots, { recursive: true });
        await page.screenshot({ path: join(shots, `${viewport.name}-${name}.png`), fullPage: true });
      };

      /** Usable at this size: nothing wider than the screen, and what the user needs on it (a wide table's scrolling box, not the table). */
      const expectUsable = async (...needed: Locator[]) => {
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, 'the page is wider than the screen').toBeLessThanOrEqual(viewport.width);
        for (const el of [page.locator('#api-key'), ...needed]) {
          await el.scrollIntoViewIfNeeded();
          const box = await el.boundingBox();
          expect(box, `${el} is shown`).not.toBeNull();
          expect(box!.width * box!.height, `${el} has a size`).toBeGreaterThan(0);
          expect(box!.x, `${el} starts on the screen`).toBeGreaterThanOrEqual(0);
          expect(box!.x + box!.width, `${el} ends on the screen`).toBeLessThanOrEqual(viewport.width + 0.5);
        }
      };

      beforeAll(async () => {
        // One organisation per size, so each dashboard lists its own two submissions.
        key = (await createApiKey(t.api.ctx.pool, `Acme Hiring (${viewport.name})`)).key;
        // A fresh profile per run (playwright passes it as --user-data-dir).
        context = await chromium.launchPersistentContext(profile, {
          executablePath: CHROMIUM,
          headless: true,
          args: CHROMIUM_ARGS,
          viewport: { width: viewport.width, height: viewport.height },
          isMobile: viewport.mobile,
          hasTouch: viewport.mobile,
          acceptDownloads: true,
        });
        // Injected by the browser, not the page, so the CSP does not apply to it.
        await context.addInitScript(() =>
          document.addEventListener('securitypolicyviolation', (e) =>
            console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
          ),
        );
        page = context.pages()[0] ?? (await context.newPage());
        page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
        page.on('console', (m) => {
          // The one expected failed request is the 401 the page provokes and shows (reported below with its URL).
          if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
        });
        page.on('response', (r) => {
          if (r.status() >= 400 && !(r.status() === 401 && r.url().endsWith('/v1/submissions'))) errors.push(`${r.status()} ${r.url()}`);
        });
      });

      afterAll(async () => {
        await context?.close();
        rmSync(profile, { recursive: true, force: true });
      });

      it('lists the problems', async () => {
        await page.goto(`${t.url}/`);
        await page.waitForSelector('table.problems tbody tr');
        expect(await page.locator('table.problems tbody tr').count()).toBe(problems.length);
        expect(await page.locator('table.problems').innerText()).toMatch(/LRU cache[\s\S]*medium[\s\S]*~30 min/);
        await shot('1-problems');
        await expectUsable(page.locator('a[href="/problems/lru-cache"]'));
      });

      it('shows a statement and the starter code per language, and submits to a live result', async () => {
        await page.click('a[href="/problems/lru-cache"]');
        await page.waitForSelector('.statement h1');
        expect(await page.locator('.statement h1').innerText()).toBe('LRU cache');
        expect(await page.locator('.statement table').count()).toBeGreaterThan(0);
        expect(await page.locator('.statement pre code').count()).toBeGreaterThan(0);
        const editor = page.locator('textarea.editor');
        await page.selectOption('select[aria-label=language]', 'javascript');
        expect(await page.locator('.file-name').innerText()).toBe('solution.js');
        await page.selectOption('select[aria-label=language]', 'typescript');
        expect(await page.locator('.file-name').innerText()).toBe('solution.ts');
        expect(await editor.inputValue()).toContain('LRUCache');

        // Tab indents inside the editor instead of leaving it.
        await editor.focus();
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Enter');
        await page.keyboard.press('Tab');
        await page.keyboard.type('// mine');
        expect(await editor.inputValue()).toMatch(/\n {2}\/\/ mine$/);
        await shot('2-problem');
        await expectUsable(editor, page.locator('button.primary'));

        await page.click('button.primary');
        await page.waitForSelector('.progress-steps li:has-text("suite:correctness")');
        await page.waitForSelector('.result .badge', { timeout: 30_000 });
        const steps = await page.locator('.progress-steps').innerText();
        expect(steps).toContain('compiling');
        expect(steps).toContain('suite:correctness 18/18');
        expect(await page.locator('.result .badge').first().innerText()).toBe('Partial');
        expect(await page.locator('.result .score').innerText()).toContain('82.5');
        const text = await page.locator('.result').innerText();
        expect(text).toContain('37.7× of 5× allowed');
        expect(text).toContain('Keep a Map from key to a linked-list node');
        expect(text).toContain('solution.ts:3:7:');
        expect(text).toContain('debug: cache size 2');
        // The hostile strings are on the page as text, and nothing in them ran or became an element.
        expect(text).toContain('<img src=x onerror="window.__pwned=1">');
        expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
        expect(await page.locator('main img, main script, main [onerror]').count()).toBe(0);
        await page.locator('.result-head').scrollIntoViewIfNeeded();
        await shot('3-result');
        await expectUsable(page.locator('.result-head'), page.locator('.result table.tests').first(), page.locator('button.primary'));
      });

      it('shows the API error (problem+json detail) for an assessment problem submitted without a key', async () => {
        const other = problems.find((p) => p !== 'lru-cache')!;
        await page.goto(`${t.url}/problems/${other}`);
        await page.waitForSelector('.statement h1');
        await page.click('button.primary');
        await page.waitForSelector('.run .error');
        const err = await page.locator('.run .error').innerText();
        expect(err).toContain('401');
        expect(err).toContain('submit with an API key');
        await expectUsable(page.locator('.run .error'));
      });

      it('lists, compares, opens and exports an organisation’s submissions on the dashboard', async () => {
        await page.goto(`${t.url}/dashboard`);
        await page.waitForSelector('text=Enter your organisation');
        await expectUsable();
        await page.fill('#api-key', key);
        await page.press('#api-key', 'Enter');
        await page.locator('#api-key').blur();
        // Two submissions from the organisation, then the list.
        for (const language of ['typescript', 'javascript'] as const) {
          const res = await t.request('POST', '/v1/submissions', {
            headers: { authorization: `Bearer ${key}` },
            body: {
              problemId: 'lru-cache',
              language,
              files: [{ path: language === 'typescript' ? 'solution.ts' : 'solution.js', content: 'export class LRUCache {}' }],
            },
          });
          expect(res.status).toBe(202);
        }
        const deadline = Date.now() + 20_000;
        while (
          (await t.request('GET', '/v1/submissions?status=completed', { headers: { authorization: `Bearer ${key}` } })).body.items.length <
            2 &&
          Date.now() < deadline
        )
          await new Promise((r) => setTimeout(r, 100));
        await page.reload();
        await page.waitForSelector('table.submissions tbody tr:has(.badge-partial)');
        expect(await page.locator('table.submissions tbody tr').count()).toBe(2);
        await shot('4-dashboard');
        await expectUsable(page.locator('.scroll:has(> table.submissions)'));

        await page.check('input[aria-label="select all"]');
        await page.click('button:has-text("Compare selected (2)")');
        await page.waitForSelector('table.compare');
        const compare = await page.locator('table.compare').innerText();
        expect(compare).toMatch(/correctness passed\s+17\/18\s+17\/18/);
        expect(compare).toContain('linear (O(n), O(n log n))');
        await shot('5-dashboard-compare');
        await expectUsable(page.locator('.scroll:has(> table.compare)'));

        const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Export CSV")')]);
        const csv = readFileSync((await download.path())!, 'utf8');
        expect(csv.split('\r\n')[0]).toBe('id,createdAt,problemId,problemVersion,language,status,verdict,score,startedAt,finishedAt');
        expect(csv.trim().split('\r\n')).toHaveLength(3);
        expect(csv).toContain(`,lru-cache,${(await loadProblem('lru-cache')).manifest.version},`);

        await page.locator('table.submissions tbody tr button.link').first().click();
        await page.waitForSelector('.panel .result .badge');
        expect(await page.locator('.panel .result .score').innerText()).toContain('82.5');
        await shot('6-dashboard-result');
        await expectUsable(page.locator('.panel .result-head'));
      });

      it('raised no page errors and no CSP violations', () => {
        expect(errors).toEqual([]);
      });
    });
});
