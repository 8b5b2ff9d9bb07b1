import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealServer } from '../support/realServer.js';
import { startRealServer } from '../support/realServer.js';

/**
 * Issue #3, acceptance 4: headless Chromium (Debian `chromium`) opens
 * `/graphql`, runs GraphiQL's example query with the run button and sees
 * recommendations in the result pane. Real engine, trained bundled model.
 */
const CHROMIUM = '/usr/bin/chromium';
const skipReason = !existsSync(CHROMIUM)
  ? `needs Debian chromium at ${CHROMIUM} (apt-get install chromium)`
  : null;

describe('Browser: GraphiQL at /graphql', () => {
  let real: RealServer;
  let browser: Browser;
  beforeAll(async () => {
    if (skipReason !== null) return;
    real = await startRealServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await real?.close();
  });

  it.skipIf(skipReason !== null)(
    `runs the example query and shows recommendations${skipReason === null ? '' : ` (skipped: ${skipReason})`}`,
    async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      const foreign: string[] = [];
      const origin = new URL(real.server.url).origin;
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      page.on('response', (res) => {
        if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
      });
      page.on('request', (req) => {
        if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) foreign.push(req.url());
      });
      await page.goto(real.server.url, { waitUntil: 'load' });
      const run = page.locator('button.graphiql-execute-button');
      await run.waitFor({ state: 'visible', timeout: 20_000 });
      await expect
        .poll(() => page.locator('.graphiql-query-editor').innerText())
        .toContain('recommendations(');
      const response = page.waitForResponse(
        (r) =>
          r.url().startsWith(real.server.url) &&
          r.request().method() === 'POST' &&
          (r.request().postData() ?? '').includes('Example'),
      );
      await run.click();
      const body = (await (await response).json()) as { data?: { modelInfo?: unknown }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.modelInfo).toEqual({ rankerVersion: expect.stringMatching(/^v\d{8}-\d{6}/) });
      const result = page.locator('.graphiql-response');
      await expect
        .poll(() => result.innerText(), { timeout: 20_000 })
        .toMatch(/"recommendations":\s*\{[\s\S]*"rank":\s*1[\s\S]*"title":/);
      // The result pane renders only its visible lines (CodeMirror), so the full body is checked above.
      expect(await result.innerText()).not.toContain('"errors"');
      expect(foreign).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    },
  );
});
