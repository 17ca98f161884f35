/**
 * Spin-orbit doublets of core levels used with lead-halide perovskites and for calibration.
 *
 * Area ratio (minor / major line) follows the degeneracies 2j + 1 (C: exact in the absence of
 * Coster-Kronig broadening and intensity effects): p 1:2, d 2:3, f 3:4.
 * Splittings: commonly quoted handbook values (status R in the project's physics reference: PHI
 * "Handbook of X-ray Photoelectron Spectroscopy" / Thermo Scientific XPS reference tables),
 * cross-checked where possible: Pb 4f 143.1 - 138.2 = 4.9 eV and Cs 3d 738.2 - 724.2 = 14.0 eV
 * in Wang et al. (paper 001, CsPbBr3@SiO2); Au 4f 3.67 eV from the real clean-gold spectrum in
 * the project fixtures (lmfitxps, fitted in the tests). Every value can be overridden in the fit
 * (`splittingEv`, `areaRatio`) or fitted freely.
 */
import { UnknownNameError } from '../core/errors.js';

/** One spin-orbit doublet. */
export interface SpinOrbitDoublet {
  element: string;
  /** Major (j = l + 1/2, lower binding energy) and minor (j = l - 1/2) line names. */
  major: string;
  minor: string;
  /** Binding-energy separation minor - major (eV). */
  splittingEv: number;
  /** Area of the minor line / area of the major line. */
  areaRatio: number;
  /** A typical binding energy of the major line (eV), for starting values only. */
  typicalBindingEnergyEv: number;
  /** Where the numbers come from and how sure they are (P paper, V verified, C computed, R commonly quoted). */
  source: string;
}

/** Known doublets by name (`Pb4f`, `Cs3d`, `Br3d`, `Au4f`, `I3d`, `Cl2p`). */
export const SPIN_ORBIT_DOUBLETS: Readonly<Record<string, SpinOrbitDoublet>> = {
  Au4f: {
    element: 'Au',
    major: '4f7/2',
    minor: '4f5/2',
    splittingEv: 3.67,
    areaRatio: 3 / 4,
    typicalBindingEnergyEv: 84.0,
    source:
      'splitting R (handbook 3.67 eV; reproduced by the fit of the lmfitxps clean Au 4f spectrum); ratio C; 84.0 eV = the usual calibration value of Au 4f7/2 (R)',
  },
  Pb4f: {
    element: 'Pb',
    major: '4f7/2',
    minor: '4f5/2',
    splittingEv: 4.86,
    areaRatio: 3 / 4,
    typicalBindingEnergyEv: 138.2,
    source:
      'splitting R (handbook 4.86-4.87 eV; paper 001 peaks 143.1 and 138.2 eV differ by 4.9 eV, P); ratio C; BE of lattice Pb2+ in CsPbBr3 P (paper 001)',
  },
  Cs3d: {
    element: 'Cs',
    major: '3d5/2',
    minor: '3d3/2',
    splittingEv: 13.9,
    areaRatio: 2 / 3,
    typicalBindingEnergyEv: 724.2,
    source:
      'splitting R (handbook 13.9-14.0 eV; paper 001 peaks 738.2 and 724.2 eV differ by 14.0 eV, P); ratio C; BE of lattice Cs+ P (paper 001)',
  },
  Br3d: {
    element: 'Br',
    major: '3d5/2',
    minor: '3d3/2',
    splittingEv: 1.04,
    areaRatio: 2 / 3,
    typicalBindingEnergyEv: 68.3,
    source: 'splitting R (handbook 1.04-1.05 eV); ratio C; BE R (bromide ~68-69 eV)',
  },
  I3d: {
    element: 'I',
    major: '3d5/2',
    minor: '3d3/2',
    splittingEv: 11.5,
    areaRatio: 2 / 3,
    typicalBindingEnergyEv: 619.2,
    source: 'splitting R (handbook 11.5 eV); ratio C; BE R (iodide ~619 eV)',
  },
  Cl2p: {
    element: 'Cl',
    major: '2p3/2',
    minor: '2p1/2',
    splittingEv: 1.6,
    areaRatio: 1 / 2,
    typicalBindingEnergyEv: 198.5,
    source: 'splitting R (handbook 1.6 eV); ratio C; BE R (chloride ~198-199 eV)',
  },
};

/**
 * A doublet by name, case-insensitive, with or without a space (`Pb 4f`, `pb4f`).
 *
 * @example
 * spinOrbitDoublet('Pb 4f').splittingEv; // 4.86
 */
export function spinOrbitDoublet(name: string): SpinOrbitDoublet {
  const key = Object.keys(SPIN_ORBIT_DOUBLETS).find(
    (k) => k.toLowerCase() === name.replace(/\s+/g, '').toLowerCase(),
  );
  if (!key) throw new UnknownNameError('doublet', name, Object.keys(SPIN_ORBIT_DOUBLETS));
  return SPIN_ORBIT_DOUBLETS[key];
}
