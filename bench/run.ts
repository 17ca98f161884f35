/**
 * `npm run bench`: every benchmark runs nanolum and the Python peer a user would pick instead, on the
 * same data in the same run, and prints the time ratio. Peers come from Debian packages:
 *   apt-get install python3-scipy python3-lmfit python3-numba
 * Usage: npm run bench [-- fit transport kinetics]
 */
import { printTable, type BenchResult } from './util.js';

const suites: Record<string, () => Promise<BenchResult | BenchResult[]>> = {
  fit: async () => (await import('./fit.js')).benchFit(),
  kinetics: async () => (await import('./kinetics.js')).benchKinetics(),
  transport: async () => (await import('./transport.js')).benchTransport(),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(suites);
  for (const name of names) {
    const suite = suites[name];
    if (!suite) {
      console.error(`unknown benchmark "${name}"; known: ${Object.keys(suites).join(', ')}`);
      process.exitCode = 2;
      return;
    }
    const out = await suite();
    for (const r of Array.isArray(out) ? out : [out]) printTable(r);
  }
}

await main();
