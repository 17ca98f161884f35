#!/usr/bin/env node
/**
 * Bundle the platform-neutral core (src/browser.ts) for browsers with esbuild:
 * dist/browser/nanolum.js, ESM, minified. Fails if anything pulls in a Node built-in
 * (`node:fs`, `fs`, `path`, ...): the core must run in browsers.
 *
 * Usage: node scripts/build-browser.mjs [--outfile path] [--no-minify] [--entry file.ts]
 */
/* global process, console */
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const builtins = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** esbuild plugin: any import of a Node built-in is a build error naming the importer. */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.replace(/^node:/, '').split('/')[0];
      if (
        args.path.startsWith('node:') ||
        (args.kind !== 'entry-point' && builtins.has(bare) && !args.path.startsWith('.'))
      ) {
        const from = args.importer ? path.relative(root, args.importer) : '(entry)';
        return {
          errors: [
            {
              text: `${from} imports the Node built-in "${args.path}"; the browser bundle must stay platform-neutral (move Node code to src/node/)`,
            },
          ],
        };
      }
      return undefined;
    });
  },
};

/**
 * Build the bundle. Returns the output path and its size in bytes.
 * @param {{ outfile?: string, minify?: boolean, entry?: string }} [options] `entry` replaces
 *   src/browser.ts (used by the test of the built-in guard).
 */
export async function buildBrowserBundle(options = {}) {
  const outfile = path.resolve(options.outfile ?? path.join(root, 'dist', 'browser', 'nanolum.js'));
  const result = await build({
    absWorkingDir: root,
    entryPoints: [path.resolve(options.entry ?? path.join(root, 'src', 'browser.ts'))],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    // keep class and function names: error classes are identified by `e.name` (DataFormatError, ...)
    keepNames: true,
    sourcemap: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  });
  const bytes = result.metafile.outputs[path.relative(root, outfile)]?.bytes ?? 0;
  return { outfile, bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const value = (flag) => (args.indexOf(flag) >= 0 ? args[args.indexOf(flag) + 1] : undefined);
  try {
    const { outfile: out, bytes } = await buildBrowserBundle({
      outfile: value('--outfile'),
      entry: value('--entry'),
      minify: !args.includes('--no-minify'),
    });
    console.log(
      `browser bundle: ${path.relative(process.cwd(), out)} (${(bytes / 1024).toFixed(1)} KiB)`,
    );
  } catch (e) {
    const errors = e && typeof e === 'object' && 'errors' in e ? e.errors : null;
    if (Array.isArray(errors) && errors.length > 0) {
      for (const err of errors) {
        const loc = err.location ? `${err.location.file}:${err.location.line}: ` : '';
        console.error(`error: ${loc}${err.text}`);
      }
    } else {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    }
    process.exit(1);
  }
}
