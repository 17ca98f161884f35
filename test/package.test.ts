import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('package layout', () => {
  it('every domain folder with an index.ts is a subpath export, and every export has its folder', () => {
    const folders = readdirSync(join(root, 'src')).filter(
      (f) =>
        statSync(join(root, 'src', f)).isDirectory() &&
        existsSync(join(root, 'src', f, 'index.ts')),
    );
    const internal = new Set(['core', 'cli']); // core is the root export; cli is the binary
    for (const f of folders) {
      if (internal.has(f)) continue;
      expect(
        pkg.exports[`./${f}`],
        `src/${f} has no "./${f}" export in package.json`,
      ).toBeDefined();
    }
    for (const key of Object.keys(pkg.exports)) {
      if (key === '.' || key === './package.json') continue;
      expect(
        existsSync(join(root, 'src', key.slice(2), 'index.ts')),
        `export ${key} has no src folder`,
      ).toBe(true);
    }
  });

  it('the platform-neutral core imports no node: modules (only src/node may)', () => {
    const offenders = walk(join(root, 'src'))
      .filter((f) => f.endsWith('.ts') && !f.includes('/src/node/'))
      .filter((f) =>
        /from\s+['"]node:|import\(\s*['"]node:|require\(\s*['"]node:/.test(readFileSync(f, 'utf8')),
      );
    expect(offenders).toEqual([]);
  });

  it('the bin points at the compiled CLI entry', () => {
    expect(pkg.bin.nanolum).toBe('dist/cli/main.js');
    expect(
      readFileSync(join(root, 'src/cli/main.ts'), 'utf8').startsWith('#!/usr/bin/env node'),
    ).toBe(true);
  });
});
