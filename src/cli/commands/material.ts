/**
 * `nanolum material [NAME] [--edge-nm L] [--temperature-k T] [--json]`: a material's parameters
 * (each with source and status) and, for a nanocrystal size and temperature, its confinement
 * regime, predicted PL peak (empirical sizing curve fitted to 002 Table 1, with uncertainty),
 * parabolic-model confinement energy, bright-dark splitting and thermal bright fraction.
 * Without NAME: the list of known materials.
 *
 * JSON keys (`--json`), one object:
 * - `material` (name), `description`
 * - `parameters`: array of `{ parameter, label, value, unit, status, source, note }`, status one of
 *   `paper` | `verified` | `commonly-quoted` | `computed` | `user`; `value` null when unknown
 * - `bohrDiameterNm`, `bohrDiameterOrigin` (`table` | `computed`), `excitonBindingMeV`,
 *   `hydrogenicBindingMeV` (13.606 eV mu / eps^2)
 * - `edgeNm` (the --edge-nm given, or null), `regime` (`strong` | `intermediate` | `weak`: L/2a0
 *   below 1 / 1 to 2 / from 2), `sizeToBohrRatio` (L / 2a0)
 * - `peakNm`, `peakNmStderr`, `peakNm95Low`, `peakNm95High`, `peakEv`, `peakEvStderr`,
 *   `peakExtrapolated` (size above the sizing data): empirical sizing curve, null for materials
 *   without size vs PL data
 * - `confinementEnergyMeV` (parabolic cube model E - E_g), `parabolicPeakNm`
 * - `brightDarkSplittingMeV`, `brightDarkSplittingMeVStderr` (004 law Delta_bulk + B/L^3; CsPbBr3 only)
 * - `temperatureK`, `thermalEnergyMeV`, `brightFraction` (3 e^(-D/kT) / (1 + 3 e^(-D/kT)))
 * - `notes`: array of strings (why a value is null; caveats)
 * - `provenance`
 * Without NAME: `{ materials: [{ name, description, bohrDiameterNm, hasSizingCurve }] }`.
 * All numbers are finite or null.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { formatNumber } from '../../core/quantity.js';
import { provenance } from '../../core/provenance.js';
import { materialSummary, type MaterialSummary } from '../../materials/summary.js';
import { listMaterials } from '../../materials/table.js';
import type { CliContext } from '../context.js';

interface MaterialCommandOptions {
  edgeNm?: string;
  temperatureK?: string;
}

/**
 * Parse a number option; a clear InvalidInputError names the option.
 * @example
 * parseNumberOption('5', '--edge-nm', 'nm'); // 5
 */
export function parseNumberOption(
  text: string | undefined,
  option: string,
  unit: string,
): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v)) {
    throw new InvalidInputError(`${option} must be a number in ${unit}, got "${text}"`);
  }
  return v;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function fmt(v: number | null, digits = 4): string {
  return v === null ? '-' : formatNumber(v, digits);
}

function withErr(v: number, e: number | null, decimals: number): string {
  return e === null ? v.toFixed(decimals) : `${v.toFixed(decimals)} ± ${e.toFixed(decimals)}`;
}

/**
 * Plain-text report of a material summary.
 * @example
 * ctx.out(materialText(materialSummary('CsPbBr3', { edgeNm: 5 })));
 */
export function materialText(s: MaterialSummary): string {
  const lines: string[] = [`${s.material}: ${s.description}`, ''];
  const rows = s.parameters.map((p) => [
    p.label,
    p.value === null ? '-' : String(p.value),
    p.unit,
    p.status ?? '-',
    p.source ?? '',
  ]);
  const w = [0, 1, 2, 3].map((i) =>
    Math.max(...rows.map((r) => r[i]!.length), ['parameter', 'value', 'unit', 'status'][i]!.length),
  );
  lines.push(
    `${pad('parameter', w[0]!)}  ${pad('value', w[1]!)}  ${pad('unit', w[2]!)}  ${pad('status', w[3]!)}  source`,
  );
  for (const r of rows)
    lines.push(
      `${pad(r[0]!, w[0]!)}  ${pad(r[1]!, w[1]!)}  ${pad(r[2]!, w[2]!)}  ${pad(r[3]!, w[3]!)}  ${r[4]}`,
    );
  lines.push('');
  lines.push(
    `Bohr diameter used: ${fmt(s.bohrDiameterNm)} nm (${s.bohrDiameterOrigin ?? 'unknown'}); hydrogenic binding ${fmt(s.hydrogenicBindingMeV, 3)} meV`,
  );
  if (s.edgeNm !== null) {
    lines.push('');
    lines.push(`Nanocrystal edge ${formatNumber(s.edgeNm, 6)} nm:`);
    const k = (label: string, value: string) => lines.push(`  ${pad(label, 24)} ${value}`);
    k(
      'confinement regime',
      s.regime === null ? '-' : `${s.regime} (L/2a0 = ${s.sizeToBohrRatio!.toFixed(2)})`,
    );
    if (s.peakNm !== null) {
      const band =
        s.peakNm95Low !== null
          ? ` (95 %: ${s.peakNm95Low.toFixed(1)}-${s.peakNm95High!.toFixed(1)} nm)`
          : '';
      k('PL peak (sizing curve)', `${withErr(s.peakNm, s.peakNmStderr, 1)} nm${band}`);
      k(
        '',
        `${withErr(s.peakEv!, s.peakEvStderr, 4)} eV${s.peakExtrapolated ? ' (extrapolated)' : ''}`,
      );
    } else k('PL peak (sizing curve)', '- (no size vs PL data)');
    if (s.confinementEnergyMeV !== null) {
      k(
        'confinement energy',
        `${s.confinementEnergyMeV.toFixed(1)} meV (parabolic cube model; peak ${s.parabolicPeakNm!.toFixed(1)} nm)`,
      );
    }
    k(
      'bright-dark splitting',
      s.brightDarkSplittingMeV === null
        ? '-'
        : `${withErr(s.brightDarkSplittingMeV, s.brightDarkSplittingMeVStderr, 2)} meV`,
    );
  }
  if (s.temperatureK !== null) {
    lines.push('');
    lines.push(
      `At ${formatNumber(s.temperatureK, 6)} K (kT = ${s.thermalEnergyMeV!.toFixed(2)} meV): bright fraction ${fmt(s.brightFraction, 3)}`,
    );
  }
  if (s.notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const n of s.notes) lines.push(`  - ${n}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Register `nanolum material`.
 *
 * @example
 * register(program, ctx); // then: nanolum material CsPbBr3 --edge-nm 5 --temperature-k 10 --json
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('material')
    .description(
      'parameters of a perovskite and, for a size and temperature, regime, PL peak, splitting and bright fraction',
    )
    .argument('[name]', 'material, e.g. CsPbBr3 (omit to list the known materials)')
    .option('--edge-nm <L>', 'nanocrystal edge length in nm')
    .option('--temperature-k <T>', 'temperature in K (for the bright fraction)')
    .addHelpText(
      'after',
      `
Examples:
  nanolum material
  nanolum material CsPbBr3 --edge-nm 5 --temperature-k 10
  nanolum material CsPbI3 --edge-nm 8 --json`,
    )
    .action((name: string | undefined, opts: MaterialCommandOptions, command: Command) => {
      const g = ctx.globals(command);
      if (name === undefined) {
        const materials = listMaterials().map((m) => ({
          name: m.name,
          description: m.description,
          bohrDiameterNm: m.parameters.bohrDiameterNm?.value ?? null,
          hasSizingCurve: m.sizingData !== null,
        }));
        if (g.json) ctx.json({ materials });
        else {
          ctx.out(
            materials
              .map(
                (m) =>
                  `${pad(m.name, 9)} ${pad(m.description, 45)} 2a0 = ${fmt(m.bohrDiameterNm)} nm${m.hasSizingCurve ? ', sizing curve' : ''}`,
              )
              .join('\n') + '\n',
          );
        }
        return;
      }
      const edgeNm = parseNumberOption(opts.edgeNm, '--edge-nm', 'nm');
      const temperatureK = parseNumberOption(opts.temperatureK, '--temperature-k', 'K');
      const summary = materialSummary(name, {
        ...(edgeNm !== undefined ? { edgeNm } : {}),
        ...(temperatureK !== undefined ? { temperatureK } : {}),
      });
      if (g.json) {
        ctx.json({
          ...summary,
          provenance: provenance('material', {
            material: summary.material,
            edgeNm: edgeNm ?? null,
            temperatureK: temperatureK ?? null,
          }),
        });
      } else ctx.out(materialText(summary));
    });
}
