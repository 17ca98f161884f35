/** Shared helpers for the benchmarks: timing, running the Python peer, printing tables. */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';

/** The repository root (the folder holding package.json), from the sources or the compiled copy in .bench-build/. */
export const REPO_ROOT: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
})();

/** Path of a peer script in bench/. */
export function peerScript(name: string): string {
  return path.join(REPO_ROOT, 'bench', name);
}

export interface BenchRow {
  name: string;
  nanolumMs: number;
  peerMs: number;
  /** peerMs / nanolumMs: how many times faster nanolum is. */
  ratio: number;
  note?: string;
}

export interface BenchResult {
  title: string;
  rows: BenchRow[];
  summary?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median wall time (ms) of `fn` over `repeats` runs after `warmup` runs. */
export function timeMs(fn: () => unknown, repeats = 20, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** Run a Python peer script with JSON on stdin; returns its parsed JSON stdout, or an error note. */
export function runPeer(script: string, args: string[] = [], input: unknown = null): unknown {
  const r = spawnSync(PYTHON, [script, ...args], {
    input: input === null ? undefined : JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    throw new Error(
      `peer ${script} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').slice(-800)}\n` +
        'Install the peers with: apt-get install python3-scipy python3-lmfit python3-numba',
    );
  }
  return JSON.parse(r.stdout);
}

export function printTable(result: BenchResult): void {
  console.log(`\n## ${result.title}`);
  const header = ['case', 'nanolum ms', 'peer ms', 'peer/nanolum', 'note'];
  const rows = result.rows.map((r) => [
    r.name,
    r.nanolumMs.toPrecision(3),
    Number.isFinite(r.peerMs) ? r.peerMs.toPrecision(3) : 'n/a',
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(1)}x` : 'n/a',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  if (result.summary) console.log(result.summary);
}

/**
 * A Python peer in its interleaved mode (`script --serve`): started once (its imports, JIT
 * compile and warm-up happen before `start` resolves: the first line it prints is its hello),
 * then asked for one timed run at a time with a JSON line, between nanolum's own runs, so that
 * both sides see the same background load on a shared machine.
 */
export class PeerServer {
  private readonly pending: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> =
    [];
  private stderr = '';
  private closed: Error | null = null;

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (line) =>
      this.pending.shift()?.resolve(line),
    );
    proc.stderr.on(
      'data',
      (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)),
    );
    proc.on('close', (code) => {
      this.closed = new Error(`peer exited (code ${code}): ${this.stderr.slice(-800)}`);
      for (const p of this.pending.splice(0)) p.reject(this.closed);
    });
    proc.on('error', (e) => {
      this.closed = e;
      for (const p of this.pending.splice(0)) p.reject(e);
    });
  }

  private next(): Promise<string> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  /** Starts `script --serve`, sends `first` as its first line and waits for its hello line. */
  static async start(
    script: string,
    first: unknown,
  ): Promise<{ server: PeerServer; hello: Record<string, unknown> }> {
    const server = new PeerServer(
      spawn(PYTHON, [script, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    const ready = server.next();
    server.proc.stdin.write(JSON.stringify(first) + '\n');
    const hello = JSON.parse(await ready) as Record<string, unknown>;
    return { server, hello };
  }

  /** Sends one JSON request line and returns the parsed reply line. */
  async request(message: unknown): Promise<unknown> {
    const reply = this.next();
    this.proc.stdin.write(JSON.stringify(message) + '\n');
    return JSON.parse(await reply) as unknown;
  }

  close(): void {
    if (!this.closed) this.proc.stdin.end('quit\n');
  }
}
