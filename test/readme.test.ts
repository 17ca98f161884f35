/**
 * The README's examples name real exports: every `import { a, b } from 'nanolum/x'` in a code
 * block is checked against the module that subpath points to.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const imports = [...readme.matchAll(/import\s*\{([^}]+)\}\s*from\s*'nanolum(\/[a-z-]+)?'/g)].map(
  (m) => ({
    names: m[1]
      .split(',')
      .map((n) => n.trim().split(/\s+as\s+/)[0])
      .filter(Boolean),
    subpath: m[2] ?? '',
  }),
);

describe('README examples', () => {
  it('has examples', () => expect(imports.length).toBeGreaterThan(8));
  for (const { names, subpath } of imports) {
    it(`nanolum${subpath} exports ${names.join(', ')}`, async () => {
      const file = fileURLToPath(new URL(`../src${subpath}/index.ts`, import.meta.url));
      const mod = await import(/* @vite-ignore */ pathToFileURL(file).href);
      for (const n of names)
        expect(mod[n], `${n} is not exported by nanolum${subpath}`).toBeDefined();
    });
  }
  it('starts with the two commands a newcomer runs', () => {
    const first = readme.split('```')[1];
    expect(first).toContain('npm start');
    expect(first).toContain('npm test');
  });
});
