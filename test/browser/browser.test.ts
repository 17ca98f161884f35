/**
 * The browser bundle in a real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core): build dist-style bundle into a temp dir, load it into a page (served by
 * request interception, no network), fit a formula model, draw a figure, export a PNG, and
 * run the demo's fitting section in the page.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.js';
import { compileFormula } from '../../src/fit/formula.js';
import { decodePng, inkStats } from '../plot/decode-png.js';

type Nanolum = typeof import('../../src/browser.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const buildScript = path.join(root, 'scripts', 'build-browser.mjs');
const CHROMIUM = process.env.NANOLUM_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set NANOLUM_CHROMIUM)`,
  );
}

// A decay with fixed pseudo-noise, the same arrays in Node and in the page.
const FORMULA = 'A*exp(-t/tau) + c';
const T = Array.from({ length: 120 }, (_, i) => i * 0.1);
const Y = T.map((t, i) => 500 * Math.exp(-t / 2.5) + 10 + 6 * Math.sin(i * 2.399));
const START = { A: { value: 300, min: 0 }, tau: { value: 1, min: 0.01 }, c: 0 };

describe('browser bundle build', () => {
  it('refuses code that imports a Node built-in', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nanolum-guard-'));
    try {
      const entry = path.join(dir, 'entry.ts');
      writeFileSync(
        entry,
        "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
      );
      const r = spawnSync(
        process.execPath,
        [buildScript, '--entry', entry, '--outfile', path.join(dir, 'out.js')],
        { encoding: 'utf8' },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/imports the Node built-in "node:fs"/);
      expect(existsSync(path.join(dir, 'out.js'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasChromium)('browser bundle in headless Chromium', () => {
  let dir = '';
  let bundle = '';
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nanolum-browser-'));
    const outfile = path.join(dir, 'nanolum.js');
    execFileSync(process.execPath, [buildScript, '--outfile', outfile], { stdio: 'pipe' });
    bundle = readFileSync(outfile, 'utf8');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.host !== 'nanolum.test') return route.abort();
      if (url.pathname === '/nanolum.js')
        return route.fulfill({ contentType: 'text/javascript', body: bundle });
      return route.fulfill({
        contentType: 'text/html',
        body:
          '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0;background:#fff">' +
          '<div id="fig" style="width:640px"></div>' +
          '<script type="module">import * as nl from "/nanolum.js"; window.nanolum = nl;</script></body></html>',
      });
    });
    await page.goto('http://nanolum.test/index.html');
    await page.waitForFunction(() => 'nanolum' in window, undefined, { timeout: 30_000 });
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is a minified ES module without Node built-ins', () => {
    expect(bundle.length).toBeGreaterThan(10_000);
    expect(bundle).toMatch(/export\s*\{/);
    expect(bundle).not.toMatch(/from\s*["']node:|require\(["'](fs|path|node:)/);
  });

  it('fits a formula model in the page with the same result as in Node', async () => {
    const node = fit(compileFormula(FORMULA, { variables: ['t'] }), T, Y, START);
    const inPage = await page.evaluate(
      ({ formula, t, y, start }) => {
        const nl = (window as unknown as { nanolum: Nanolum }).nanolum;
        const r = nl.fit(nl.compileFormula(formula, { variables: ['t'] }), t, y, start);
        return {
          status: r.status,
          values: Object.fromEntries(Object.entries(r.params).map(([k, p]) => [k, p.value])),
          stderr: Object.fromEntries(Object.entries(r.params).map(([k, p]) => [k, p.stderr])),
          chi2: r.chi2,
        };
      },
      { formula: FORMULA, t: T, y: Y, start: START },
    );
    expect(inPage.status).toBe(node.status);
    for (const k of ['A', 'tau', 'c']) {
      expect(inPage.values[k]).toBeCloseTo(node.params[k].value, 9);
      expect(inPage.stderr[k]!).toBeCloseTo(node.params[k].stderr!, 9);
    }
    expect(inPage.chi2).toBeCloseTo(node.chi2, 8);
    expect(Math.abs(inPage.values.tau - 2.5)).toBeLessThan(0.1);
  });

  it('draws a fit figure into the page: well-formed SVG with paths and a non-blank screenshot', async () => {
    const info = await page.evaluate(
      ({ formula, t, y, start }) => {
        const nl = (window as unknown as { nanolum: Nanolum }).nanolum;
        const r = nl.fit(nl.compileFormula(formula, { variables: ['t'] }), t, y, start);
        const fig = nl.decayFigure({
          timeNs: t,
          counts: y,
          best: r.best,
          title: 'Fit in the browser',
        });
        const svgEl = nl.renderFigure(fig, document.getElementById('fig')!);
        const svgText = nl.renderSvg(fig);
        const xml = new DOMParser().parseFromString(svgText, 'image/svg+xml');
        return {
          paths: svgEl.querySelectorAll('path').length,
          circles: svgEl.querySelectorAll('circle').length,
          texts: Array.from(svgEl.querySelectorAll('text'), (e) => e.textContent),
          parseError: xml.querySelector('parsererror') !== null,
          width: svgEl.getBoundingClientRect().width,
        };
      },
      { formula: FORMULA, t: T, y: Y, start: START },
    );
    expect(info.parseError).toBe(false);
    expect(info.paths).toBeGreaterThan(5);
    expect(info.circles).toBeGreaterThanOrEqual(2 * T.length);
    expect(info.texts).toEqual(
      expect.arrayContaining(['Time (ns)', 'Counts', 'Fit in the browser', 'Pearson resid.']),
    );
    expect(info.width).toBeGreaterThan(600);
    const shot = await page.locator('#fig svg').screenshot();
    writeFileSync(path.join(os.tmpdir(), 'nanolum-browser-figure.png'), shot);
    const img = decodePng(new Uint8Array(shot));
    const s = inkStats(img);
    expect(s.inkFraction).toBeGreaterThan(0.02);
    expect(s.colours).toBeGreaterThan(5);
  });

  it('exports a PNG through a canvas (figureToPngBlob)', async () => {
    const bytes = await page.evaluate(
      async ({ t, y }) => {
        const nl = (window as unknown as { nanolum: Nanolum }).nanolum;
        const blob = await nl.figureToPngBlob(nl.decayFigure({ timeNs: t, counts: y }), {
          scale: 1.5,
        });
        return { type: blob.type, bytes: Array.from(new Uint8Array(await blob.arrayBuffer())) };
      },
      { t: T, y: Y },
    );
    expect(bytes.type).toBe('image/png');
    const img = decodePng(Uint8Array.from(bytes.bytes));
    expect([img.width, img.height]).toEqual([960, 600]);
    expect(inkStats(img).inkFraction).toBeGreaterThan(0.01);
  });

  it('runs the demo fitting section in the page and renders its report', async () => {
    const r = await page.evaluate(async () => {
      const nl = (window as unknown as { nanolum: Nanolum }).nanolum;
      const out = await nl.runDemo({ seed: 3, only: ['fitting'] });
      const m = (out.results.fitting as { misra1a: { params: { b1: { value: number } } } }).misra1a;
      return {
        b1: m.params.b1.value,
        html: out.html.length,
        hasSection: out.html.includes('id="sec-fitting"'),
      };
    });
    expect(r.hasSection).toBe(true);
    expect(Math.abs(r.b1 - 238.94212918) / 238.94212918).toBeLessThan(1e-6);
    expect(r.html).toBeGreaterThan(20_000);
  });
});
