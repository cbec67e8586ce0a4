/**
 * The page on a 390×844 phone served from a plain-http origin that is not localhost (chromium maps
 * assay.test to the loopback API), so it is not a secure context and `crypto.randomUUID` is missing:
 * Submit still works (idempotency keys from getRandomValues), a mistyped API key breaks nothing
 * public and is named as not valid where it is used, and a shown result keeps the page a sensible
 * height (tables scroll in their own box instead of wrapping a letter a line) with the key field on it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../api/src/testing';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium, scriptedEngine } from './testing';
import { chromium, type Browser } from 'playwright-core';

let t: TestApi;
let browser: Browser;
let origin: string;
const errors: string[] = [];

async function phonePage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return page;
}
const keyFieldShown = async (page: Page) => {
  const box = await page.locator('#api-key').boundingBox();
  return box !== null && box.width >= 100 && box.height > 0 && box.x >= 0 && box.x + box.width <= 390.5;
};

beforeAll(async () => {
  requireChromium();
  execFileSync('bash', ['web/scripts/ensure-built.sh'], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  t = await startTestApi('web_phone', { RUN_WORKER: 'true', WORKER_CONCURRENCY: '1', PRACTICE_PROBLEMS: 'lru-cache' }, scriptedEngine);
  const port = new URL(t.url).port;
  origin = `http://assay.test:${port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP assay.test 127.0.0.1'],
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the page on a phone, over plain http, not on localhost', () => {
  it('is not a secure context there (the case being tested)', async () => {
    const page = await phonePage();
    await page.goto(`${origin}/`);
    expect(await page.evaluate(() => [window.isSecureContext, typeof crypto.randomUUID])).toEqual([false, 'undefined']);
    await page.close();
  });

  it('lists problems and shows a statement with a mistyped API key, and says the key is not valid where one is used', async () => {
    const page = await phonePage();
    const sentKey: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/problems') && r.headers().authorization) sentKey.push(r.url());
    });
    await page.goto(`${origin}/`);
    await page.fill('#api-key', 'ak_mistyped');
    await page.press('#api-key', 'Enter');
    await page.locator('#api-key').blur();
    await page.reload();
    await page.waitForSelector('table.problems tbody tr');
    await page.click('a[href="/problems/lru-cache"]');
    await page.waitForSelector('.statement h1');
    expect(sentKey).toEqual([]);

    // Submitting with it: the key is named, not a bare 401.
    await page.click('button.primary');
    await page.waitForSelector('.run .error');
    expect(await page.locator('.run .error').innerText()).toMatch(/API key.*not valid/i);

    await page.goto(`${origin}/dashboard`);
    await page.waitForSelector('.error');
    expect(await page.locator('.error').first().innerText()).toMatch(/API key.*not valid/i);
    expect(await keyFieldShown(page)).toBe(true);
    await page.evaluate(() => localStorage.clear());
    await page.close();
  });

  it('submits and shows the result; the page stays a sensible height with the key field on it', async () => {
    const page = await phonePage();
    await page.goto(`${origin}/problems/lru-cache`);
    await page.waitForSelector('.statement h1');
    const before = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.click('button.primary');
    await page.waitForSelector('.result .badge', { timeout: 30_000 });
    expect(await page.locator('.run .error').count()).toBe(0);
    const id = (await page.locator('.submission-id code').innerText()).trim();
    expect((await t.request('GET', `/v1/submissions/${id}`)).body.status).toBe('completed');

    const layout = await page.evaluate(() => ({
      height: document.documentElement.scrollHeight,
      width: document.documentElement.scrollWidth,
      result: document.querySelector('.result')!.getBoundingClientRect().height,
    }));
    expect(layout.width).toBeLessThanOrEqual(390);
    // The same result at desktop width, to compare: reflowing for a phone may make it taller, not 5×.
    const wide = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await wide.goto(`${origin}/submissions/${id}`);
    await wide.waitForSelector('.result .badge');
    const wideResult = await wide.evaluate(() => document.querySelector('.result')!.getBoundingClientRect().height);
    await wide.close();
    console.log(
      `390 px: page ${before} → ${layout.height} px with the result (result ${Math.round(layout.result)} px; 1280 px: ${Math.round(wideResult)} px)`,
    );
    expect(layout.result).toBeLessThan(2.5 * wideResult);
    expect(layout.height - before).toBeLessThan(2.5 * wideResult);
    expect(layout.height).toBeLessThan(15_000);

    // Every table is either within the screen or in a box that scrolls sideways.
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll('main table')]
        .filter((tb) => tb.getBoundingClientRect().right > 390.5)
        .filter((tb) => !(tb.parentElement && getComputedStyle(tb.parentElement).overflowX.match(/auto|scroll/)))
        .map((tb) => tb.className),
    );
    expect(overflowing).toEqual([]);
    // No table cell squeezed to a letter or two a line.
    const narrowest = await page.evaluate(() =>
      Math.min(...[...document.querySelectorAll('main td, main th')].map((c) => c.getBoundingClientRect().width).filter((w) => w > 0)),
    );
    expect(narrowest).toBeGreaterThan(24);
    expect(await keyFieldShown(page)).toBe(true);
    await page.locator('.result-head').scrollIntoViewIfNeeded();
    expect(await keyFieldShown(page)).toBe(true);
    await page.close();
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
