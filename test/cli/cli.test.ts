import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/core/version.js';
import { InvalidInputError } from '../../src/core/errors.js';
import { reportError } from '../../src/cli/program.js';
import { parseAssignments, parseBounds } from '../../src/cli/input.js';
import { DEMO_SECTIONS } from '../../src/demo/index.js';
import { cli } from '../helpers/cli.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const root = mkdtempSync(join(tmpdir(), 'nanolum-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let caseNo = 0;
function freshDir(): string {
  const d = join(root, `case${++caseNo}`);
  mkdirSync(d);
  return d;
}

/** Seeded normal deviates (LCG + Box-Muller), so the data and hence the test are reproducible. */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const TRUTH = { A: 500, tau: 2.5, c: 10 };
const MODEL = 'A*exp(-x/tau) + c';

/** A decay with known truth and per-point sigma, as CSV text with units in the header. */
function decayCsv(seed = 7): string {
  const g = normals(seed);
  const lines = ['time (ns),counts,sigma'];
  for (let i = 0; i < 120; i++) {
    const x = i * 0.1;
    const y = TRUTH.A * Math.exp(-x / TRUTH.tau) + TRUTH.c;
    const s = 0.02 * y + 1;
    lines.push(`${x.toFixed(1)},${y + s * g()},${s}`);
  }
  return lines.join('\n') + '\n';
}

function writeData(name = 'decay.csv', text = decayCsv()): { dir: string; path: string } {
  const dir = freshDir();
  const path = join(dir, name);
  writeFileSync(path, text);
  return { dir, path };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawn the real CLI from source, as a user would run it. */
function spawnCli(...args: string[]): Run {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args],
    {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The one-line error the CLI prints for a user/data error. */
function expectOneLineError(r: Run, pattern: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^nanolum: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('nanolum, spawned from source', () => {
  it('--version prints the version (exit 0)', () => {
    const r = spawnCli('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });
  it('usage errors exit 2: unknown option, unknown command', () => {
    const { path } = writeData();
    const a = spawnCli('fit', path, '--model', MODEL, '--params', 'A=1,tau=1,c=0', '--bogus');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^nanolum: unknown option '--bogus'/);
    const b = spawnCli('fitt');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown command 'fitt'/);
  });
  it('fit --json --out recovers the truth within the standard errors and writes the files atomically', () => {
    const { dir, path } = writeData();
    const out = join(dir, 'results');
    const r = spawnCli(
      'fit',
      path,
      '--model',
      MODEL,
      '--params',
      'A=300,tau=1,c=0',
      '--sigma',
      'sigma',
      '--json',
      '--out',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.converged).toBe(true);
    for (const [name, truth] of Object.entries(TRUTH)) {
      const p = j.params[name];
      expect(p.stderr).toBeGreaterThan(0);
      expect(Math.abs(p.value - truth)).toBeLessThan(3 * p.stderr);
    }
    expect(j.nData).toBe(120);
    expect(j.reducedChi2).toBeGreaterThan(0.6);
    expect(j.reducedChi2).toBeLessThan(1.5);
    expect(j.input.name).toBe('decay.csv');
    expect(j.input.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(j.provenance.inputs[0].sha256).toBe(j.input.sha256);
    expect(j.x).toEqual({ column: 'time (ns)', unit: 'ns' });
    expect(readdirSync(out).sort()).toEqual(['fit.csv', 'fit.json', 'fit.svg', 'report.html']);
    expect(JSON.parse(readFileSync(join(out, 'fit.json'), 'utf8')).params.tau.value).toBe(
      j.params.tau.value,
    );
    const csv = readFileSync(join(out, 'fit.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('x,y,best,residual');
    expect(csv).toHaveLength(121);
    const [x, y, best, res] = csv[5].split(',').map(Number);
    expect(x).toBeCloseTo(0.4, 12);
    expect(y - best).toBeCloseTo(res, 9);
    expect(readFileSync(join(out, 'fit.svg'), 'utf8')).toMatch(/^<svg|<\?xml/);
  });
  it('a missing column: exit 1 with one line listing the columns', () => {
    const { path } = writeData();
    const r = spawnCli('fit', path, '--model', MODEL, '--params', 'A=1,tau=1,c=0', '--y', 'cnts');
    expectOneLineError(
      r,
      /^nanolum: --y: no column "cnts"; columns are time \(ns\), counts, sigma$/,
    );
  });
  it('never overwrites an input: --out is the input directory and the input is called fit.csv', () => {
    const { dir, path } = writeData('fit.csv');
    const before = readFileSync(path, 'utf8');
    const r = spawnCli('fit', path, '--model', MODEL, '--params', 'A=300,tau=1,c=0', '--out', dir);
    expectOneLineError(r, /refusing to write ".*fit\.csv": it is an input file of this run/);
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['fit.csv']); // nothing else written, no temporary files
  });
});

describe('nanolum fit (in process)', () => {
  it('prints an lmfit-like report and recovers the truth', async () => {
    const { path } = writeData();
    const r = await cli(
      'fit',
      path,
      '--model',
      MODEL,
      '--params',
      'A=300,tau=1,c=0',
      '--sigma',
      '3',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\[\[Fit Statistics\]\]/);
    expect(r.stdout).toMatch(/# data points\s+= 120/);
    const tau = /tau:\s+([\d.]+) \+\/- ([\d.]+)/.exec(r.stdout)!;
    expect(Math.abs(Number(tau[1]) - TRUTH.tau)).toBeLessThan(3 * Number(tau[2]));
    expect(r.stdout).toMatch(/\[\[Correlations\]\]/);
  });
  it('--fix, --bounds and column selection by number and name', async () => {
    const { path } = writeData();
    const r = await cli(
      'fit',
      path,
      '--model',
      MODEL,
      '--params',
      'A=300, tau=1, c=10',
      '--fix',
      'c',
      '--bounds',
      'tau=0:10',
      '--bounds',
      'A=0:',
      '--x',
      '1',
      '--y',
      'COUNTS',
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.params.c).toMatchObject({ value: 10, stderr: null, fixed: true });
    expect(j.params.tau).toMatchObject({ min: 0, max: 10 });
    expect(j.params.A).toMatchObject({ min: 0, max: null });
    expect(j.nFree).toBe(2);
    expect(Math.abs(j.params.tau.value - TRUTH.tau)).toBeLessThan(0.1);
  });
  it('--method poisson fits counts and recovers the truth', async () => {
    const g = normals(3);
    const lines = ['t\tcounts'];
    for (let i = 0; i < 200; i++) {
      const mu = 300 * Math.exp(-(i * 0.05) / 1.7) + 2;
      // normal approximation to Poisson, rounded to counts (fine at these rates for a recovery check)
      lines.push(`${i * 0.05}\t${Math.max(0, Math.round(mu + Math.sqrt(mu) * g()))}`);
    }
    const { path } = writeData('counts.tsv', lines.join('\n'));
    const r = await cli(
      'fit',
      path,
      '--model',
      'A*exp(-x/tau) + b',
      '--params',
      'A=100,tau=1,b=1',
      '--method',
      'poisson',
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.method).toBe('poisson');
    expect(Math.abs(j.params.tau.value - 1.7)).toBeLessThan(3 * j.params.tau.stderr);
    expect(Math.abs(j.params.A.value - 300)).toBeLessThan(3 * j.params.A.stderr);
  });
  it('a formula that does not parse: the position is shown', async () => {
    const { path } = writeData();
    const r = await cli('fit', path, '--model', 'A*exp(-x/tau + c', '--params', 'A=1,tau=1,c=0');
    expectOneLineError(r, /^nanolum: --model: .*position \d+/);
  });
  it('unknown parameters in --params list the formula parameters', async () => {
    const { path } = writeData();
    const r = await cli('fit', path, '--model', MODEL, '--params', 'A=1,tau=1,c=0,tau2=3');
    expectOneLineError(
      r,
      /^nanolum: --params: unknown parameter "tau2"; the formula's parameters are A, tau, c$/,
    );
  });
  it('formula parameters missing from --params are named', async () => {
    const { path } = writeData();
    const r = await cli('fit', path, '--model', MODEL, '--params', 'A=1');
    expectOneLineError(
      r,
      /^nanolum: --params gives no starting value for tau, c; the formula's parameters are A, tau, c/,
    );
  });
  it('bad --params, --bounds and --fix values', async () => {
    const { path } = writeData();
    expectOneLineError(
      await cli('fit', path, '--model', MODEL, '--params', 'A=abc,tau=1,c=0'),
      /--params: the value of A \("abc"\) is not a finite number/,
    );
    expectOneLineError(
      await cli('fit', path, '--model', MODEL, '--params', 'A=1,tau=1,c=0', '--bounds', 'tau=5:1'),
      /--bounds: the bounds of tau are empty/,
    );
    expectOneLineError(
      await cli(
        'fit',
        path,
        '--model',
        MODEL,
        '--params',
        'A=1,tau=20,c=0',
        '--bounds',
        'tau=0:10',
      ),
      /starting value tau=20 is outside its bounds 0:10/,
    );
    expectOneLineError(
      await cli('fit', path, '--model', MODEL, '--params', 'A=1,tau=1,c=0', '--fix', 'k'),
      /--fix: unknown parameter "k"/,
    );
  });
  it('non-numeric cells name the row and column', async () => {
    const { path } = writeData('bad.csv', 'time (ns),counts\n0,10\n0.1,9\n0.2,n/a?\n0.3,7\n');
    const r = await cli('fit', path, '--model', MODEL, '--params', 'A=1,tau=1,c=0');
    expectOneLineError(
      r,
      /^nanolum: bad\.csv, row 4, column 2 \(counts\): "n\/a\?" is not a number$/,
    );
  });
  it('unreadable input: a missing file, a directory, an empty file', async () => {
    const dir = freshDir();
    expectOneLineError(
      await cli('fit', join(dir, 'nope.csv'), '--model', MODEL, '--params', 'A=1,tau=1,c=0'),
      /^nanolum: cannot read ".*nope\.csv": no such file$/,
    );
    expectOneLineError(
      await cli('fit', dir, '--model', MODEL, '--params', 'A=1,tau=1,c=0'),
      /it is a directory/,
    );
    const { path } = writeData('empty.csv', '');
    expectOneLineError(
      await cli('fit', path, '--model', MODEL, '--params', 'A=1,tau=1,c=0'),
      /^nanolum: empty\.csv: the file is empty$/,
    );
  });
  it('a one-column file cannot be fitted', async () => {
    const { path } = writeData('one.txt', '1\n2\n3\n');
    expectOneLineError(
      await cli('fit', path, '--model', MODEL, '--params', 'A=1,tau=1,c=0'),
      /has only 1 column \(col1\); a fit needs x and y/,
    );
  });
  it('usage errors exit 2: missing argument, missing --model, bad --method', async () => {
    expect((await cli('fit')).code).toBe(2);
    const { path } = writeData();
    const noModel = await cli('fit', path, '--params', 'A=1');
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/^nanolum: required option '-m, --model <expr>' not specified/);
    const m = await cli(
      'fit',
      path,
      '--model',
      MODEL,
      '--params',
      'A=1,tau=1,c=0',
      '--method',
      'magic',
    );
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/argument 'magic' is invalid/);
  });
  it('--help works on every command (exit 0)', async () => {
    for (const args of [['--help'], ['fit', '--help'], ['demo', '--help'], ['help', 'fit']]) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: nanolum/);
      expect(r.stdout).toMatch(/--json/); // global options shown everywhere
    }
    expect((await cli('fit', '--help')).stdout).toMatch(/--params <list>/);
  });
  it('no command: help on stderr, exit 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: nanolum/);
  });
});

describe('nanolum demo (in process)', () => {
  it('writes report.html and results.json into --out and says where', async () => {
    const dir = freshDir();
    const out = join(dir, 'demo');
    const first = DEMO_SECTIONS[0].id; // one section keeps the test short as the demo grows
    const r = await cli('demo', '--out', out, '--seed', '11', '--only', first);
    expect(
      r.stderr.split('\n').filter((l) => l !== '' && !/warning: demo section/.test(l)),
    ).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*report\.html and .*results\.json \(seed 11\)/);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'results.json']);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.provenance.seed).toBe(11);
    expect(results.sections.map((x: { id: string }) => x.id)).toEqual([first]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<html/i);
  });
  it('a bad seed is a usage error', async () => {
    const out = join(freshDir(), 'demo');
    const r = await cli('demo', '--seed', '1.5', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the seed must be an integer/);
    expect(existsSync(out)).toBe(false);
    const u = await cli('demo', '--only', 'no-such-section', '--out', out);
    expectOneLineError(u, /unknown demo section "no-such-section"; known: /);
    expect(existsSync(out)).toBe(false);
  });
});

describe('error reporting', () => {
  it('a NanolumError is one line; a bug gives the message and the --debug hint; --debug the stack', () => {
    let text = '';
    const write = (s: string): void => {
      text += s;
    };
    expect(reportError(new InvalidInputError('no column "x"\nsecond line'), write, false)).toBe(1);
    expect(text).toBe('nanolum: no column "x" second line\n');
    text = '';
    expect(reportError(new TypeError('boom'), write, false)).toBe(1);
    expect(text).toBe(
      'nanolum: unexpected error: boom (this is a bug; rerun with --debug for the stack trace)\n',
    );
    text = '';
    expect(reportError(new TypeError('boom'), write, true)).toBe(1);
    expect(text).toMatch(/^nanolum: unexpected error: TypeError: boom\n\s+at /);
  });
  it('option value parsers', () => {
    expect(parseAssignments('b1=500,b2=1e-4', '--params')).toEqual({ b1: 500, b2: 1e-4 });
    expect(parseBounds('b2=0:1, b1=:100, c=-inf:inf')).toEqual({
      b2: { min: 0, max: 1 },
      b1: { max: 100 },
      c: {},
    });
    expect(() => parseAssignments('b1', '--params')).toThrow(/not of the form name=value/);
    expect(() => parseAssignments('b1=1,b1=2', '--params')).toThrow(/given twice/);
    expect(() => parseBounds('b1=0-1')).toThrow(/name=min:max/);
  });
});
