/**
 * The demo in a real browser: the built app (dist/, made by the `build` task before `test`) served on a loopback
 * port, driven by playwright-core in Debian's chromium. The numbers on the page are checked against the same
 * quantities computed here in Node by other routes (explicit features and a full eigendecomposition for the
 * certificate, the dataset solver for the accuracy).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eigh, gram, type Matrix, matrixFrom } from '@lattn/core';
import { expectVectorClose } from '@lattn/core/testing';
import { cubicFeatures, forwardFolded } from '@lattn/feature-map';
import { fitLinearAttention } from '@lattn/learner';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPercent, formatScientific } from './format.js';
import { defaultRaw, validate } from './params.js';
import { prepareTask } from './pipeline.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];
const appDir = fileURLToPath(new URL('..', import.meta.url));
const distDir = join(appDir, 'dist');
const resultsDir = join(appDir, 'test-results');
const RUN_TIMEOUT = 90_000;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A static file server for dist/ on 127.0.0.1 and a free port. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** λ_min and λ_max of Λ = (1/N) Σ ψψᵀ from explicit feature rows and a full eigendecomposition. */
function explicitExtremes(inputs: readonly Matrix[]): number[] {
  const rows = inputs.flatMap((sequence) => {
    const features = cubicFeatures(sequence);
    return Array.from({ length: features.rows }, (_, t) =>
      Array.from(features.data.subarray(t * features.cols, (t + 1) * features.cols)),
    );
  });
  const lambda = gram(matrixFrom(rows.length, rows[0].length, rows.flat()));
  const { values } = eigh({ ...lambda, data: lambda.data.map((value) => value / rows.length) });
  return [values[0], values[values.length - 1]];
}

async function numberAt(page: Page, testId: string): Promise<number> {
  const text = await page.getAttribute(`[data-testid="${testId}"]`, 'data-value');
  if (text === null) throw new Error(`no data-value on [data-testid="${testId}"]`);
  return Number(text);
}

async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

async function waitForRun(page: Page): Promise<void> {
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: RUN_TIMEOUT });
  expect(await page.getAttribute('body', 'data-state'), await textOf(page, '#status')).toBe('done');
}

/** What the race chart showed each time the page changed it. */
interface RaceSnapshot {
  readonly points: number;
  readonly training: boolean;
  readonly exact: boolean;
  readonly state: string | undefined;
}

interface RecordingWindow {
  raceSnapshots: RaceSnapshot[];
}

/**
 * Before the page's scripts run, records the race chart after every change of the page (a mutation observer runs
 * between the worker's messages), so the test sees the chart as it was during training, whatever the timing.
 */
async function recordRaceChart(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const recording = window as unknown as RecordingWindow;
    recording.raceSnapshots = [];
    new MutationObserver(() => {
      const chart = document.querySelector('#race-card .race-chart');
      if (chart === null) return;
      recording.raceSnapshots.push({
        points: Number(chart.getAttribute('data-baseline-points')),
        training: chart.getAttribute('data-training') === 'true',
        exact: chart.querySelector('.exact-point') !== null,
        state: document.body.dataset.state,
      });
    }).observe(document, { childList: true, subtree: true });
  });
}

const haveChromium = existsSync(CHROMIUM);

describe('the demo in chromium', () => {
  if (!haveChromium) {
    it(`finds chromium at ${CHROMIUM}`, () => {
      throw new Error(
        `${CHROMIUM} is missing, so the browser test cannot run. Install it first: bash .ci/install-chromium (apt-get install -y chromium); the README's test command does.`,
      );
    });
    return;
  }

  let browser: Browser;
  let server: Server;
  let url: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(distDir, 'index.html'))) {
      throw new Error(`${distDir} has no build: run \`pnpm --filter @lattn/demo build\` (turbo's test task does).`);
    }
    mkdirSync(resultsDir, { recursive: true });
    ({ server, url } = await serve(distDir));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function open(query: string, width = 1400, setup?: (page: Page) => Promise<void>): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await setup?.(page);
    await page.goto(url + query);
    return page;
  }

  /** Whether the page is wider than its window (a horizontal scrollbar). */
  async function overflowsHorizontally(page: Page): Promise<boolean> {
    return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  }

  it(
    'runs the default task and shows the certificate and the accuracy that Node computes by other routes',
    async () => {
      const page = await open('', 1400, recordRaceChart);
      await waitForRun(page);
      const defaults = validate(defaultRaw());
      if (!defaults.ok) throw new Error('the defaults do not validate');
      const prepared = prepareTask(defaults.params);

      expect(await page.getAttribute('[data-testid="certificate-verdict"]', 'data-value')).toBe('true');
      const [lambdaMin, lambdaMax] = explicitExtremes(prepared.train.inputs);
      const shown = [await numberAt(page, 'lambda-min'), await numberAt(page, 'lambda-max')];
      expectVectorClose(shown, [lambdaMin, lambdaMax], { rtol: 1e-8 });
      expectVectorClose([await numberAt(page, 'condition')], [lambdaMax / lambdaMin], { rtol: 1e-7 });
      expect(await numberAt(page, 'rank')).toBe(prepared.summary.featureDim);
      expect(await textOf(page, '[data-testid="lambda-min"]')).toBe(formatScientific(shown[0]));

      const fit = fitLinearAttention(prepared.train);
      const outputs = forwardFolded(fit.weights, prepared.test.inputs, { mode: prepared.test.mode });
      const expected = prepared.score(outputs);
      expect(expected.exactMatch).toBe(1);
      expect(await numberAt(page, 'accuracy-exact-exact-match')).toBe(expected.exactMatch);
      expect(await textOf(page, '[data-testid="accuracy-exact-exact-match"]')).toBe(
        `${formatPercent(expected.exactMatch)} (${expected.numCorrect}/${expected.numSequences})`,
      );
      expect(await numberAt(page, 'minimal-heads')).toBe(prepared.summary.constructionHeads);
      expect(await page.locator('[data-testid="accuracy-baseline"]').count()).toBe(1);
      expect(await page.locator('.race-chart .baseline-line').count()).toBe(1);
      expect(await page.locator('.race-chart .exact-point').count()).toBe(1);

      // Adam's curve was drawn while it trained: the worker sends epochs 0 and 1 as soon as they are measured, so
      // whatever the timing, the chart showed exactly two Adam points, next to the exact solver's, before the rest.
      const epochs = defaults.params.epochs;
      const snapshots = await page.evaluate(() => (window as unknown as RecordingWindow).raceSnapshots);
      const live = snapshots.filter((snapshot) => snapshot.training);
      expect(live.some((snapshot) => snapshot.points === 2 && snapshot.exact)).toBe(true);
      expect(live.every((snapshot) => snapshot.state === 'running' && snapshot.points <= epochs + 1)).toBe(true);
      const counts = live.map((snapshot) => snapshot.points);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(snapshots.at(-1)).toMatchObject({ training: false, points: epochs + 1 });

      await page.screenshot({ path: join(resultsDir, 'demo.png'), fullPage: true });
      if (process.env.LATTN_UPDATE_SCREENSHOT === '1') {
        await page.setViewportSize({ width: 1400, height: 1460 });
        await page.screenshot({ path: join(appDir, 'screenshot.png') });
      }
      expect(pageErrors).toEqual([]);
      await page.close();
    },
    RUN_TIMEOUT + 30_000,
  );

  it('shows an invalid link parameter next to its field, and clears it when fixed', async () => {
    const page = await open('?task=automaton&numStates=abc');
    await page.waitForSelector('#status.error');
    expect(await textOf(page, '#error-numStates')).toBe('Must be a whole number from 1 to 8; got “abc”.');
    expect(await page.getAttribute('#field-numStates', 'aria-invalid')).toBe('true');
    expect(await textOf(page, '#form-errors')).toBe('One setting needs fixing: States |Q|.');
    expect(await textOf(page, '#message-card h2')).toBe('Nothing has run yet');
    expect(await page.locator('body[data-state]').count()).toBe(0);

    await page.fill('#field-numStates', '2');
    expect(await textOf(page, '#error-numStates')).toBe('');
    expect(await textOf(page, '#form-errors')).toBe('');
    expect(await page.getAttribute('#field-numStates', 'aria-invalid')).toBeNull();
    expect(new URL(page.url()).searchParams.get('numStates')).toBe('2');
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 30_000);

  it(
    'steps an automaton with the keyboard in an 800-pixel window and highlights the wrong steps of an under-trained model',
    async () => {
      const page = await open('?task=automaton&numSequences=4&testSequences=16&maxHeads=1&epochs=20', 800);
      await waitForRun(page);
      expect(await overflowsHorizontally(page)).toBe(false);
      const wrongLinks = page.locator('#automaton-card button.link');
      expect(await wrongLinks.count()).toBeGreaterThan(0);
      const first = await wrongLinks.first().textContent();
      await wrongLinks.first().focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector(`#automaton-card[data-instance="${first}"]`);
      expect(new URL(page.url()).searchParams.get('instance')).toBe(first);
      expect(await numberAt(page, 'automaton-wrong-steps')).toBeGreaterThan(0);
      expect(await page.locator('table.steps tr.wrong').count()).toBe(await numberAt(page, 'automaton-wrong-steps'));

      await page.getByRole('button', { name: '⇤ start' }).click();
      expect(await page.locator('table.steps tr.pending').count()).toBe(16);
      await page.getByRole('button', { name: 'step ▶' }).focus();
      await page.keyboard.press('Enter');
      expect(await textOf(page, 'label[for="step-slider"]')).toBe('step 1 of 16');
      await page.keyboard.press('Enter');
      expect(await textOf(page, 'label[for="step-slider"]')).toBe('step 2 of 16');
      expect(await page.locator('table.dfa td.lookup').count()).toBe(1);
      await page.screenshot({ path: join(resultsDir, 'automaton.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
      await page.close();
    },
    RUN_TIMEOUT + 30_000,
  );
});
