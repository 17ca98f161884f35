import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import {
  assertNotInput,
  clearInputFiles,
  createProgress,
  ensureDir,
  inputFilesOfRun,
  readInputFile,
  writeFileAtomic,
} from '../../src/node/index.js';

const root = mkdtempSync(join(tmpdir(), 'nanolum-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => clearInputFiles());

let n = 0;
function freshDir(): string {
  const d = join(root, `case${++n}`);
  mkdirSync(d);
  return d;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('readInputFile', () => {
  it('returns name, bytes and the SHA-256, and records the file as an input', async () => {
    const d = freshDir();
    const p = join(d, 'decay.csv');
    writeFileSync(p, 'time,counts\n0,1\n');
    const f = await readInputFile(p);
    expect(f.name).toBe('decay.csv');
    expect(new TextDecoder().decode(f.bytes)).toBe('time,counts\n0,1\n');
    expect(f.sha256).toBe(createHash('sha256').update('time,counts\n0,1\n').digest('hex'));
    expect(inputFilesOfRun()).toContain(f.path);
  });
  it('a missing file, a directory: InvalidInputError naming the path', async () => {
    const d = freshDir();
    const missing = await rejection(readInputFile(join(d, 'nope.csv')));
    expect(missing).toBeInstanceOf(InvalidInputError);
    expect(missing.message).toBe(`cannot read "${join(d, 'nope.csv')}": no such file`);
    const dir = await rejection(readInputFile(d));
    expect(dir).toBeInstanceOf(InvalidInputError);
    expect(dir.message).toBe(`cannot read "${d}": it is a directory, not a file`);
  });
  it.skipIf(process.getuid?.() === 0)(
    'an unreadable file (skipped as root, who can read anything)',
    async () => {
      const p = join(freshDir(), 'secret.csv');
      writeFileSync(p, '1,2\n');
      chmodSync(p, 0o000);
      const e = await rejection(readInputFile(p));
      expect(e.message).toBe(`cannot read "${p}": permission denied`);
    },
  );
});

describe('writeFileAtomic', () => {
  it('writes and replaces a file, leaving no temporary files', async () => {
    const d = freshDir();
    const p = join(d, 'fit.json');
    await writeFileAtomic(p, '{"a":1}');
    expect(readFileSync(p, 'utf8')).toBe('{"a":1}');
    await writeFileAtomic(p, new Uint8Array([104, 105]));
    expect(readFileSync(p, 'utf8')).toBe('hi');
    expect(readdirSync(d)).toEqual(['fit.json']);
  });
  it('a large write arrives whole', async () => {
    const d = freshDir();
    const big = new Uint8Array(3_000_000).map((_, i) => i % 251);
    await writeFileAtomic(join(d, 'big.bin'), big);
    expect(Buffer.compare(readFileSync(join(d, 'big.bin')), Buffer.from(big))).toBe(0);
  });
  it('a failed write leaves the old file and no temporary file', async () => {
    const d = freshDir();
    mkdirSync(join(d, 'taken'));
    writeFileSync(join(d, 'taken', 'x'), 'keep');
    const e = await rejection(writeFileAtomic(join(d, 'taken'), 'new'));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toMatch(/cannot write ".*taken": it is a directory/);
    expect(readdirSync(d)).toEqual(['taken']);
    const e2 = await rejection(writeFileAtomic(join(d, 'no-such-dir', 'f.txt'), 'x'));
    expect(e2.message).toMatch(/no such file/);
    expect(readdirSync(d)).toEqual(['taken']);
  });
  it('refuses to overwrite an input file of the run, also through a symlink or a hard link', async () => {
    const d = freshDir();
    const input = join(d, 'fit.csv');
    writeFileSync(input, 'original');
    await readInputFile(input);
    const e = await rejection(writeFileAtomic(input, 'clobbered'));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toMatch(/refusing to write ".*fit\.csv": it is an input file of this run/);
    symlinkSync(input, join(d, 'link.csv'));
    await expect(writeFileAtomic(join(d, 'link.csv'), 'x')).rejects.toThrow(/input file/);
    linkSync(input, join(d, 'hard.csv'));
    await expect(writeFileAtomic(join(d, 'hard.csv'), 'x')).rejects.toThrow(/input file/);
    expect(readFileSync(input, 'utf8')).toBe('original');
    // explicit inputs, without readInputFile
    clearInputFiles();
    const other = join(d, 'other.csv');
    writeFileSync(other, 'o');
    expect(() => assertNotInput(other, [other])).toThrow(InvalidInputError);
    expect(() => assertNotInput(join(d, 'new.csv'), [other])).not.toThrow();
    await writeFileAtomic(input, 'now allowed'); // a new run: no inputs recorded
    expect(readFileSync(input, 'utf8')).toBe('now allowed');
  });
});

describe('ensureDir', () => {
  it('creates nested directories, and refuses a file in the way', async () => {
    const d = freshDir();
    await ensureDir(join(d, 'a', 'b'));
    expect(existsSync(join(d, 'a', 'b'))).toBe(true);
    await ensureDir(join(d, 'a', 'b')); // exists: fine
    writeFileSync(join(d, 'file'), '');
    const e = await rejection(ensureDir(join(d, 'file')));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toMatch(/a file of that name is in the way/);
  });
});

describe('createProgress', () => {
  function fakeStream(isTTY: boolean): {
    isTTY: boolean;
    columns: number;
    text: string;
    write(s: string): boolean;
  } {
    return {
      isTTY,
      columns: 80,
      text: '',
      write(s: string) {
        this.text += s;
        return true;
      },
    };
  }
  it('is silent when stderr is not a terminal, and when quiet', () => {
    for (const [tty, quiet] of [
      [false, false],
      [true, true],
    ] as const) {
      const s = fakeStream(tty);
      let t = 0;
      const p = createProgress({ label: 'sim', total: 10, quiet, stream: s, now: () => t });
      t = 5000;
      for (let i = 0; i <= 10; i++) p(i, 10);
      p.stop();
      expect(s.text).toBe('');
      expect(p.enabled).toBe(false);
    }
  });
  it('shows only for work that is still running after the delay; usable as onProgress', () => {
    const s = fakeStream(true);
    let t = 0;
    const p = createProgress({ label: 'simulating', stream: s, now: () => t, delayMs: 1000 });
    p(1, 10);
    t = 500;
    p(3, 10);
    expect(p.shown).toBe(false);
    expect(s.text).toBe('');
    t = 1500;
    p(5, 10);
    expect(p.shown).toBe(true);
    expect(s.text).toContain('simulating');
    expect(s.text).toContain('5/10');
    p.increment();
    p.stop();
    p(9, 10); // after stop: ignored
  });
  it('quick work prints nothing', () => {
    const s = fakeStream(true);
    let t = 0;
    const p = createProgress({ label: 'quick', total: 3, stream: s, now: () => t });
    p(1);
    p(2);
    t = 2000;
    p(3); // finished: no bar for completed work
    p.stop();
    expect(s.text).toBe('');
  });
});
