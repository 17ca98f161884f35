/**
 * `nanolum size NAME --peak-nm X [--peak-nm-stderr S] [--json]`: nanocrystal edge length from the
 * PL peak, by inverting the material's empirical sizing curve E(L) = E_inf + A/L^2 + B/L (fitted
 * to 002 Table 1; CsPbBr3, CsPbI3, FAPbBr3), with the uncertainty propagated from the curve's
 * covariance (and the peak's own uncertainty, if given) through its slope.
 *
 * JSON keys (`--json`), one object:
 * - `material`, `peakNm`, `peakEv`, `peakNmStderr` (the measured-peak uncertainty included, nm)
 * - `edgeNm`, `edgeNmStderr`, `edgeNm95Low`, `edgeNm95High` (Student-t 95 % band mapped through
 *   the curve; an end is null when it runs outside the curve's range)
 * - `regime` (`strong` | `intermediate` | `weak`), `sizeToBohrRatio` (L / 2a0)
 * - `extrapolated` (size above the sizing data's range)
 * - `curveMinPeakNm` (peak at the smallest size of the data), `curveLimitPeakNm` (large-size limit;
 *   peaks at or beyond it have no finite size), `curveEdgeRangeNm` ([min, max] size of the data),
 *   `bulkGapNm` (table bulk gap as a wavelength; redder peaks are refused)
 * - `notes` (array of strings), `provenance`
 * Peaks outside (curveMinPeakNm, min(curveLimitPeakNm, bulkGapNm)) are an error (exit code 1), never NaN.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { provenance } from '../../core/provenance.js';
import { sizeFromPeak, type SizeFromPeak } from '../../materials/summary.js';
import type { CliContext } from '../context.js';
import { parseNumberOption } from './material.js';

interface SizeCommandOptions {
  peakNm: string;
  peakNmStderr?: string;
}

function withErr(v: number, e: number | null, decimals: number): string {
  return e === null ? v.toFixed(decimals) : `${v.toFixed(decimals)} ± ${e.toFixed(decimals)}`;
}

/**
 * Plain-text report of a size-from-peak result.
 * @example
 * ctx.out(sizeText(sizeFromPeak('CsPbBr3', 498)));
 */
export function sizeText(s: SizeFromPeak): string {
  const lines = [
    `${s.material}: PL peak ${s.peakNm} nm (${s.peakEv.toFixed(4)} eV)${s.peakNmStderr > 0 ? ` ± ${s.peakNmStderr} nm` : ''}`,
    `  edge length  ${withErr(s.edgeNm, s.edgeNmStderr, 2)} nm${
      s.edgeNmStderr !== null
        ? ` (95 %: ${s.edgeNm95Low === null ? `below ${s.curveEdgeRangeNm[0]}` : s.edgeNm95Low.toFixed(2)}-${s.edgeNm95High === null ? 'unbounded' : s.edgeNm95High.toFixed(2)} nm)`
        : ''
    }${s.extrapolated ? ' (extrapolated)' : ''}`,
  ];
  if (s.regime !== null)
    lines.push(`  regime       ${s.regime} (L/2a0 = ${s.sizeToBohrRatio!.toFixed(2)})`);
  const upper =
    s.bulkGapNm !== null && s.bulkGapNm < s.curveLimitPeakNm
      ? `${s.bulkGapNm.toFixed(1)} nm (bulk gap)`
      : `${s.curveLimitPeakNm.toFixed(1)} nm (curve's bulk limit)`;
  lines.push(
    `  sizing curve inverts peaks from ${s.curveMinPeakNm.toFixed(1)} nm (size ${s.curveEdgeRangeNm[0]} nm) to ${upper}`,
  );
  for (const n of s.notes) lines.push(`  note: ${n}`);
  return lines.join('\n') + '\n';
}

/**
 * Register `nanolum size`.
 *
 * @example
 * register(program, ctx); // then: nanolum size CsPbBr3 --peak-nm 498 --json
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('size')
    .description(
      'nanocrystal edge length from the PL peak (inverse empirical sizing curve, with uncertainty)',
    )
    .argument('<name>', 'material with a sizing curve: CsPbBr3, CsPbI3 or FAPbBr3')
    .requiredOption('--peak-nm <X>', 'PL peak wavelength in nm')
    .option('--peak-nm-stderr <S>', 'standard uncertainty of the peak in nm (default 0)')
    .addHelpText(
      'after',
      `
Examples:
  nanolum size CsPbBr3 --peak-nm 498
  nanolum size CsPbI3 --peak-nm 650 --peak-nm-stderr 2 --json`,
    )
    .action((name: string, opts: SizeCommandOptions, command: Command) => {
      const g = ctx.globals(command);
      const peakNm = parseNumberOption(opts.peakNm, '--peak-nm', 'nm');
      if (peakNm === undefined) throw new InvalidInputError('--peak-nm is required');
      const peakNmStderr = parseNumberOption(opts.peakNmStderr, '--peak-nm-stderr', 'nm');
      const result = sizeFromPeak(name, peakNm, peakNmStderr !== undefined ? { peakNmStderr } : {});
      if (g.json) {
        ctx.json({
          ...result,
          provenance: provenance('size', {
            material: result.material,
            peakNm,
            peakNmStderr: peakNmStderr ?? 0,
          }),
        });
      } else ctx.out(sizeText(result));
    });
}
