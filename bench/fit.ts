/**
 * NIST StRD benchmark: nanolum's engine vs scipy least_squares(method='lm') and lmfit, on the same
 * 19 problems from both starting points, default settings, one run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compileFormula, fit } from '../src/fit/index.js';
import { parseNist, lre } from '../test/fit/nist.js';
import { type BenchResult, median, peerScript, REPO_ROOT, runPeer, timeMs } from './util.js';

const NIST_DIR = path.join(REPO_ROOT, '../shared/fixtures/fitting/nist-strd/');
const PEER = peerScript('fit-peer.py');
const NAMES = [
  'Misra1a',
  'Chwirut2',
  'Chwirut1',
  'Lanczos3',
  'Gauss1',
  'Gauss2',
  'DanWood',
  'Misra1b',
  'Kirby2',
  'Hahn1',
  'Nelson',
  'MGH17',
  'Lanczos1',
  'Lanczos2',
  'Gauss3',
  'Misra1c',
  'Misra1d',
  'Roszman1',
  'ENSO',
];

interface PeerRow {
  problem: string;
  start: number;
  scipyMs: number;
  scipyLre: number;
  lmfitMs: number | null;
  lmfitLre: number | null;
}

export async function benchFit(repeats = 20): Promise<BenchResult> {
  if (!existsSync(NIST_DIR)) {
    return { title: 'NIST StRD fits', rows: [], summary: `skipped: ${NIST_DIR} is absent` };
  }
  const peer = runPeer(PEER, [NIST_DIR, String(repeats)]) as PeerRow[];
  const rows = [];
  const ours: number[] = [];
  const scipy: number[] = [];
  const lmfit: number[] = [];
  for (const name of NAMES) {
    const p = parseNist(`${NIST_DIR}/${name}.dat`, name);
    const model = compileFormula(p.formula, { variables: p.variables, params: p.params });
    for (const start of [1, 2] as const) {
      const s = start === 1 ? p.start1 : p.start2;
      const init = Object.fromEntries(p.params.map((k, i) => [k, s[i]]));
      const run = () => fit(model, p.x, p.y, init);
      const res = run();
      const ms = timeMs(run, repeats);
      const minLre = Math.min(...p.params.map((k, i) => lre(res.params[k].value, p.certified[i])));
      const pr = peer.find((r) => r.problem === name && r.start === start);
      const peerMs = pr ? pr.scipyMs : NaN;
      ours.push(ms);
      if (pr) {
        scipy.push(pr.scipyMs);
        if (pr.lmfitMs !== null) lmfit.push(pr.lmfitMs);
      }
      rows.push({
        name: `${name} start ${start}`,
        nanolumMs: ms,
        peerMs,
        ratio: peerMs / ms,
        note:
          `LRE nanolum ${minLre.toFixed(1)}${res.converged ? '' : ` (${res.status})`}` +
          (pr
            ? `, scipy ${pr.scipyLre.toFixed(1)}, lmfit ${pr.lmfitLre === null ? 'failed' : pr.lmfitLre.toFixed(1)}`
            : ''),
      });
    }
  }
  const mo = median(ours);
  const ms = median(scipy);
  const ml = median(lmfit);
  return {
    title: 'NIST StRD fits (peer: scipy least_squares lm; lmfit in the summary)',
    rows,
    summary:
      `median per fit: nanolum ${mo.toFixed(3)} ms, scipy lm ${ms.toFixed(3)} ms (${(ms / mo).toFixed(1)}x), ` +
      `lmfit ${ml.toFixed(3)} ms (${(ml / mo).toFixed(1)}x). Target: nanolum <= scipy/3.`,
  };
}
