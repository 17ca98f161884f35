/**
 * Reader for the NIST StRD nonlinear regression files (test helper, not a test file).
 * Each file gives two starting points, certified values with standard deviations, the residual
 * sum of squares, the model formula and the data block.
 */
import { readFileSync } from 'node:fs';

export interface NistProblem {
  name: string;
  params: string[];
  start1: number[];
  start2: number[];
  certified: number[];
  certifiedSd: number[];
  rss: number;
  /** Formula text of the right-hand side, normalised for `compileFormula`. */
  formula: string;
  /** The left-hand side: `y` or `log(y)`. */
  response: 'y' | 'log(y)';
  variables: string[];
  /** Point-major predictors (n * variables.length). */
  x: Float64Array;
  y: Float64Array;
}

export function normaliseNistFormula(text: string): string {
  return text
    .replace(/\[/g, '(')
    .replace(/\]/g, ')')
    .replace(/\*\*/g, '^')
    .replace(/arctan/g, 'atan')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parseNist(path: string, name: string): NistProblem {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const params: string[] = [];
  const start1: number[] = [];
  const start2: number[] = [];
  const certified: number[] = [];
  const certifiedSd: number[] = [];
  let rss = NaN;
  let dataHint = null as [number, number] | null;
  let modelStart = -1;
  let dataHeader = -1;
  lines.forEach((line, i) => {
    const m = /^\s*(b\d+)\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (m) {
      params.push(m[1]!);
      start1.push(Number(m[2]));
      start2.push(Number(m[3]));
      certified.push(Number(m[4]));
      certifiedSd.push(Number(m[5]));
    }
    const r = /^Residual Sum of Squares:\s+(\S+)/.exec(line);
    if (r) rss = Number(r[1]);
    const h = /^\s*Data\s+\(lines\s+(\d+)\s+to\s+(\d+)\)/.exec(line);
    if (h) dataHint = [Number(h[1]), Number(h[2])];
    if (/^Model:/.test(line)) modelStart = i;
    if (/^Data:\s+y/.test(line)) dataHeader = i;
  });
  if (modelStart < 0 || dataHeader < 0 || params.length === 0 || !Number.isFinite(rss)) {
    throw new Error(`${name}: not a NIST StRD nonlinear regression file`);
  }
  // model: the equation lines between "Model:" and the starting values table
  const eq: string[] = [];
  for (let i = modelStart + 1; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (/Starting values/i.test(t)) break;
    if (t === '' || /Class/.test(t) || /Parameters? \(/.test(t)) continue;
    if (/^pi\s*=/.test(t)) continue; // Roszman1 defines pi; the formula language knows it
    eq.push(t);
  }
  const text = eq.join(' ');
  const eqm = /^(.*?)=(.*)$/.exec(text);
  if (!eqm) throw new Error(`${name}: cannot find the model equation in "${text}"`);
  const lhs = eqm[1]!.replace(/\s+/g, '');
  const rhs = eqm[2]!.replace(/\+\s*e\s*$/, '');
  const response = /^log[[(]y[\])]$/.test(lhs) ? 'log(y)' : 'y';
  if (response === 'y' && lhs !== 'y') throw new Error(`${name}: unexpected response "${lhs}"`);
  const variables = lines[dataHeader]!.trim().split(/\s+/).slice(2);
  const nv = variables.length;
  const rows: number[][] = [];
  for (let i = dataHeader + 1; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '') continue;
    rows.push(t.split(/\s+/).map(Number));
  }
  if (dataHint) {
    const [a, b] = dataHint;
    if (a !== dataHeader + 2 || rows.length !== b - a + 1) {
      throw new Error(
        `${name}: data block does not match the header (lines ${a} to ${b}, found ${rows.length} rows after line ${dataHeader + 1})`,
      );
    }
  }
  const n = rows.length;
  const x = new Float64Array(n * nv);
  const y = new Float64Array(n);
  rows.forEach((row, i) => {
    if (row.length !== nv + 1 || row.some((v) => !Number.isFinite(v)))
      throw new Error(`${name}: bad data row ${i + 1}`);
    y[i] = response === 'log(y)' ? Math.log(row[0]!) : row[0]!;
    for (let k = 0; k < nv; k++) x[i * nv + k] = row[k + 1]!;
  });
  return {
    name,
    params,
    start1,
    start2,
    certified,
    certifiedSd,
    rss,
    formula: normaliseNistFormula(rhs),
    response,
    variables,
    x,
    y,
  };
}

/** Log relative error: -log10(|value - certified| / |certified|), capped at 15 (16 for exact). */
export function lre(value: number, cert: number): number {
  if (!Number.isFinite(value)) return 0;
  const d = Math.abs(value - cert);
  if (d === 0) return 15;
  const rel = cert === 0 ? d : d / Math.abs(cert);
  return Math.max(0, Math.min(15, -Math.log10(rel)));
}
