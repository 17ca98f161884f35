/**
 * Plain-text reports of transport results.
 */
import { formatNumber, formatQuantity, quantity } from '../core/quantity.js';
import type { TplmResult } from './analyze.js';
import type { TransportFitResult } from './fit-model.js';
import { MARKOV_PARAMS } from './markov.js';
import type { TransportSimulationResult } from './simulate.js';

function fmt(v: number | null): string {
  return v === null ? 'n/a (no photon)' : formatNumber(v, 4);
}

function q(v: number | null, se: number | null, unit: string): string {
  return v === null ? 'n/a' : formatQuantity(quantity(v, unit, se));
}

/**
 * A text summary of a TPLM analysis.
 *
 * @example
 * console.log(tplmReport(analyzeTransport(cube)));
 */
export function tplmReport(r: TplmResult): string {
  const lines = [
    `TPLM analysis: ${r.model} profile (${r.profileDimension}-D), ${r.method} fits, t0 = ${formatNumber(r.t0Ns)} ns`,
    `  bins analysed      ${r.bins.length} (${r.msd.length} usable)`,
    r.fixedGammaLUm !== null
      ? `  Lorentzian HWHM    ${formatNumber(r.fixedGammaLUm * 1000, 4)} nm (fixed after the first bin)`
      : '',
    `  D_avg (004 eqn 2)  ${q(r.dAvgCm2PerS, r.dAvgStderr, 'cm^2/s')}`,
    `  D (linear fit)     ${r.dLinear ? `${q(r.dLinear.dCm2PerS, r.dLinear.stderr, 'cm^2/s')} over ${formatNumber(r.dLinear.windowNs[0])}-${formatNumber(r.dLinear.windowNs[1])} ns` : 'n/a'}`,
    `  MSD ~ t^alpha      ${r.anomalous ? `alpha = ${q(r.anomalous.alpha, r.anomalous.stderr, '')}` : 'n/a'}`,
    `  tau_PL (1/e)       ${q(r.tauPlNs, r.tauPlStderr, 'ns')}`,
    `  diffusion length   ${q(r.diffusionLengthNm, r.diffusionLengthStderr, 'nm')}   [${r.diffusionLengthDefinition}]`,
    `  t_max              ${r.tMaxNs === null ? 'n/a' : `${formatNumber(r.tMaxNs)} ns${r.tMaxAtEnd ? ' (lower bound: MSD still rising)' : ''}`}`,
  ].filter((l) => l !== '');
  if (r.warnings.length) lines.push('  warnings:', ...r.warnings.map((w) => `    - ${w}`));
  return lines.join('\n');
}

/**
 * A text summary of a simulation.
 *
 * @example
 * console.log(simulationReport(simulateTransport(preset('004-5nm-9K'))));
 */
export function simulationReport(r: TransportSimulationResult): string {
  const p = r.params;
  let iMax = 0;
  r.curve.forEach((c, i) => {
    if ((c.msdDisplacementSites2 ?? -Infinity) > (r.curve[iMax].msdDisplacementSites2 ?? -Infinity))
      iMax = i;
  });
  return [
    `Lattice Monte Carlo (${p.dimension}-D, seed ${p.seed}): ${p.walkers} excitons, ${p.steps} steps of ${p.dtPs} ps`,
    `  gamma_B ${p.gammaB}  gamma_D ${p.gammaD}  gamma_BD ${p.gammaBD}  gamma_DB ${p.gammaDB}  gamma_FRET ${p.gammaFret}  gamma_trap ${p.gammaTrap}  bright fraction ${p.brightFraction}`,
    `  photons ${r.emitted}, still excited at the end ${r.survivors}`,
    `  displacement MSD peak ${fmt(r.curve[iMax].msdDisplacementSites2)} sites^2 at ${formatNumber(r.curve[iMax].tNs)} ns; last step ${fmt(r.curve[r.curve.length - 1].msdDisplacementSites2)} sites^2`,
  ].join('\n');
}

/**
 * A text summary of a model fit.
 *
 * @example
 * console.log(transportFitReport(fitTransportModel(data, { dtPs: 25 })));
 */
export function transportFitReport(r: TransportFitResult): string {
  const lines = [
    `Transport model fit: ${r.converged ? 'converged' : 'NOT converged'} (${r.message}); reduced chi-square ${formatNumber(r.reducedChi2, 4)}`,
  ];
  for (const k of MARKOV_PARAMS) {
    const p = r.params[k];
    lines.push(
      `  ${k.padEnd(15)} ${p.fixed ? `${formatNumber(p.value)} (fixed)` : formatQuantity(quantity(p.value, 'per step', p.stderr))}${p.atBound ? '  [at bound]' : ''}`,
    );
  }
  if (r.droppedPoints)
    lines.push(`  ${r.droppedPoints} MSD points without a positive stderr left out`);
  return lines.join('\n');
}
