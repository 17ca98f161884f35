/**
 * XPS energy scales: binding energy from kinetic energy, E_B = hν - E_kin - φ, with φ the
 * spectrometer (analyser) work function; and the work function from a reference line
 * (e.g. Au 4f7/2 at 84.0 eV).
 */
import { InvalidInputError } from '../core/errors.js';
import { coordinateAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';
import { type SpectrumInput, spectrumXY } from '../spectra/convert.js';

/** Photon energy and analyser work function of a measurement. */
export interface XpsEnergyScale {
  photonEnergyEv: number;
  /** Spectrometer work function (default 0: kinetic energies already referenced to the Fermi level). */
  workFunctionEv?: number;
}

function checkScale(s: XpsEnergyScale): { hv: number; phi: number } {
  if (!(s.photonEnergyEv > 0) || !Number.isFinite(s.photonEnergyEv)) {
    throw new InvalidInputError(
      `photonEnergyEv must be a positive number, got ${s.photonEnergyEv}`,
    );
  }
  const phi = s.workFunctionEv ?? 0;
  if (!Number.isFinite(phi))
    throw new InvalidInputError(`workFunctionEv must be a finite number, got ${phi}`);
  return { hv: s.photonEnergyEv, phi };
}

/**
 * Binding energy (eV) of a photoelectron of kinetic energy `kineticEnergyEv`.
 *
 * @example
 * bindingEnergy(1402.6, { photonEnergyEv: 1486.6, workFunctionEv: 4.5 }); // 79.5 eV
 */
export function bindingEnergy(kineticEnergyEv: number, scale: XpsEnergyScale): number {
  const { hv, phi } = checkScale(scale);
  return hv - kineticEnergyEv - phi;
}

/**
 * Kinetic energy (eV) of a line of binding energy `bindingEnergyEv`.
 *
 * @example
 * kineticEnergy(84.0, { photonEnergyEv: 180, workFunctionEv: 4.3 }); // 91.7 eV
 */
export function kineticEnergy(bindingEnergyEv: number, scale: XpsEnergyScale): number {
  const { hv, phi } = checkScale(scale);
  return hv - bindingEnergyEv - phi;
}

/**
 * Spectrometer work function from a reference line measured at kinetic energy E_kin:
 * φ = hν - E_kin - E_B(reference), e.g. with clean gold, Au 4f7/2 = 84.0 eV.
 *
 * @example
 * spectrometerWorkFunction({ photonEnergyEv: 180, kineticEnergyEv: 92.3, referenceBindingEnergyEv: 84.0 }); // 3.7 eV
 */
export function spectrometerWorkFunction(args: {
  photonEnergyEv: number;
  kineticEnergyEv: number;
  referenceBindingEnergyEv: number;
}): number {
  checkScale({ photonEnergyEv: args.photonEnergyEv });
  return args.photonEnergyEv - args.kineticEnergyEv - args.referenceBindingEnergyEv;
}

/**
 * Convert an XPS spectrum on a kinetic-energy axis to binding energy (ascending axis
 * `binding energy`, eV). Counts per channel are unchanged (the Jacobian is 1).
 *
 * @example
 * const be = kineticToBinding(spectrum, { photonEnergyEv: 180, workFunctionEv: 3.7 });
 */
export function kineticToBinding(
  spectrum: SpectrumInput,
  scale: XpsEnergyScale,
): CalibratedArray<Float64Array> {
  const { hv, phi } = checkScale(scale);
  const s = spectrumXY(spectrum, 'XPS spectrum');
  const n = s.x.length;
  const be = Float64Array.from({ length: n }, (_, i) => hv - s.x[n - 1 - i] - phi);
  const y = Float64Array.from({ length: n }, (_, i) => s.y[n - 1 - i]);
  const meta = 'axes' in spectrum ? spectrum.metadata : {};
  return calibrated(y, [coordinateAxis('binding energy', 'eV', be)], {
    unit: s.unit || 'counts',
    name: s.name,
    metadata: {
      ...meta,
      energyScale: { photonEnergyEv: hv, workFunctionEv: phi, from: 'kinetic energy' },
    },
  });
}
