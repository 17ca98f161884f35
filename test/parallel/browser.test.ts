/**
 * The Web Worker backend in a real browser: headless Chromium (via playwright-core) loads the
 * TypeScript sources through a tiny server that compiles each .ts file with esbuild on request,
 * and runs parallelMap on module workers. Skipped when Chromium is not installed.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { chromium } from 'playwright-core';
import { createRng, poisson } from '../../src/random/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** Serve ROOT: `/x/y.js` is compiled from `/x/y.ts` when only the .ts exists. */
function startServer(): Promise<{ url: string; close: () => void }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<!doctype html><title>nanolum</title><script type="module" src="/test/parallel/browser-page.js"></script>',
        );
      return;
    }
    const file = join(ROOT, path);
    const ts = file.replace(/\.js$/, '.ts');
    if (!file.startsWith(ROOT) || !existsSync(ts)) {
      res.writeHead(404).end();
      return;
    }
    const out = await transform(readFileSync(ts, 'utf8'), {
      loader: 'ts',
      format: 'esm',
      target: 'es2022',
    });
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(out.code);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

describe.skipIf(!CHROMIUM)(
  CHROMIUM
    ? 'parallelMap on Web Workers (headless Chromium)'
    : 'parallelMap on Web Workers: skipped, Chromium not installed (apt-get install -y chromium)',
  () => {
    it('runs tasks in module workers with the same per-item streams, reports errors, reuses a pool', async () => {
      const server = await startServer();
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
        // playwright gives every launch a fresh temporary profile (--user-data-dir)
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(server.url + '/');
        await page.waitForFunction(() => 'nanolumResult' in globalThis, undefined, {
          timeout: 30_000,
        });
        expect(errors).toEqual([]);
        const result = (await page.evaluate(
          () => (globalThis as { nanolumResult?: unknown }).nanolumResult,
        )) as {
          backend: string;
          out: unknown[];
          progress: number[];
          err: unknown;
          pooled: unknown[];
          reused: boolean;
          poolSize: number;
          fatal?: string;
        };
        expect(result.fatal).toBeUndefined();
        expect(result.backend).toBe('web-worker');
        const root = createRng(11);
        const expected = Array.from({ length: 40 }, (_, i) => ({
          index: i,
          counts: poisson(root.split(i), 5 + i * 10),
          inWorker: true,
        }));
        expect(result.out).toEqual(expected);
        expect(result.progress[result.progress.length - 1]).toBe(40);
        expect(result.pooled).toEqual(expected);
        expect(result.reused).toBe(true);
        expect(result.poolSize).toBe(2);
        expect(result.err).toEqual({
          message: expect.stringContaining('bad item three'),
          index: 3,
        });
      } finally {
        await browser.close();
        server.close();
      }
    });
  },
);
