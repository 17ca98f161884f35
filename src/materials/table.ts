/**
 * The materials table: band-edge parameters of lead-halide perovskites, every value with its
 * source and status. Model functions elsewhere take a `Material` (or plain numbers) as an
 * argument; nothing here is a global setting. Users override values with `withOverrides` and add
 * materials with `defineMaterial`; lookups by name take the user's extra materials as an option.
 *
 * Status of a value (following the project's physics reference):
 * - `paper`: stated in one of the project's papers (file named in `source`);
 * - `verified`: checked in a primary public source;
 * - `commonly-quoted`: quoted widely, not yet checked against the primary paper - override it if
 *   you have a better number;
 * - `computed`: derived from other values in the table by a formula named in `source`;
 * - `user`: supplied by the user (`withOverrides`, `defineMaterial`).
 */
import { InvalidInputError, UnknownNameError } from '../core/errors.js';
import { BOHR_RADIUS_NM, RYDBERG_EV } from './constants.js';
import { TABLE1_CSPBBR3, TABLE1_CSPBI3, TABLE1_FAPBBR3, type SizingDataset } from './literature.js';

export type ValueStatus = 'paper' | 'verified' | 'commonly-quoted' | 'computed' | 'user';

/** A number with its unit, where it came from and how far it has been checked. */
export interface SourcedValue {
  value: number;
  unit: string;
  status: ValueStatus;
  /** Citation or derivation. */
  source: string;
  /** Caveats (range of literature values, temperature, ...). */
  note?: string;
}

/** The parameters a material carries; any may be `null` (unknown). */
export interface MaterialParameters {
  /** Bulk optical band gap (or, where noted, the bulk/large-crystal PL energy) in eV. */
  bandGapEv: SourcedValue | null;
  /** Bulk 1s exciton energy in eV (gap minus binding), where known. */
  excitonEnergyEv: SourcedValue | null;
  /** Exciton reduced mass mu in units of the free-electron mass m0. */
  reducedMass: SourcedValue | null;
  /** Electron effective mass in m0. */
  electronMass: SourcedValue | null;
  /** Hole effective mass in m0. */
  holeMass: SourcedValue | null;
  /** Relative dielectric constant used in exciton (hydrogenic / Brus) models. */
  dielectricConstant: SourcedValue | null;
  /** Exciton Bohr diameter 2 a0 in nm. */
  bohrDiameterNm: SourcedValue | null;
  /** Bulk exciton binding energy in meV. */
  excitonBindingMeV: SourcedValue | null;
  /** Pseudo-cubic lattice constant in Angstrom. */
  latticeConstantA: SourcedValue | null;
}

export type ParameterName = keyof MaterialParameters;

/** Units of each parameter (used when a user supplies a bare number). */
export const PARAMETER_UNITS: Readonly<Record<ParameterName, string>> = {
  bandGapEv: 'eV',
  excitonEnergyEv: 'eV',
  reducedMass: 'm0',
  electronMass: 'm0',
  holeMass: 'm0',
  dielectricConstant: '',
  bohrDiameterNm: 'nm',
  excitonBindingMeV: 'meV',
  latticeConstantA: 'Å',
};

/** Words for each parameter, for messages and tables. */
export const PARAMETER_LABELS: Readonly<Record<ParameterName, string>> = {
  bandGapEv: 'band gap',
  excitonEnergyEv: 'exciton energy',
  reducedMass: 'reduced mass',
  electronMass: 'electron effective mass',
  holeMass: 'hole effective mass',
  dielectricConstant: 'dielectric constant',
  bohrDiameterNm: 'Bohr diameter',
  excitonBindingMeV: 'exciton binding energy',
  latticeConstantA: 'lattice constant',
};

const PARAMETER_NAMES = Object.keys(PARAMETER_UNITS) as ParameterName[];

/** A material: name, formula, parameters, and (if any) the size vs PL-peak data behind its sizing curve. */
export interface Material {
  /** Name used for lookups, e.g. `CsPbBr3`. */
  name: string;
  /** Other accepted names (case-insensitive). */
  aliases: string[];
  /** Chemical formula in words. */
  description: string;
  parameters: MaterialParameters;
  /** Size vs PL-peak literature data for the empirical sizing curve, or `null`. */
  sizingData: SizingDataset | null;
  /** Caveats about the parameter set as a whole. */
  notes: string[];
}

/** What a user may pass for a value: a bare number (status `user`) or a full `SourcedValue`. */
export type ValueInput = number | (Partial<SourcedValue> & { value: number }) | null;

const PHYSICS_REF = 'quoted in the project physics reference (shared/reference/physics.md)';

function cq(value: number, unit: string, who: string, note?: string): SourcedValue {
  return {
    value,
    unit,
    status: 'commonly-quoted',
    source: `${who}, ${PHYSICS_REF}; not yet checked against the primary paper`,
    ...(note ? { note } : {}),
  };
}
function paper(value: number, unit: string, source: string, note?: string): SourcedValue {
  return { value, unit, status: 'paper', source, ...(note ? { note } : {}) };
}
function verified(value: number, unit: string, source: string, note?: string): SourcedValue {
  return { value, unit, status: 'verified', source, ...(note ? { note } : {}) };
}

/** Dielectric constant that reproduces a binding energy with a reduced mass (hydrogenic model). */
function epsFromBinding(mu: number, bindingMeV: number): SourcedValue {
  const eps = Math.sqrt((RYDBERG_EV * 1000 * mu) / bindingMeV);
  return {
    value: Number(eps.toFixed(3)),
    unit: '',
    status: 'computed',
    source: `hydrogenic model eps = sqrt(Ry mu / E_b) from mu = ${mu} and E_b = ${bindingMeV} meV in this table`,
    note: 'effective (exciton) dielectric constant, not a measured one; override if you have one',
  };
}
function bohrComputed(mu: number, eps: number): SourcedValue {
  return {
    value: Number(((2 * BOHR_RADIUS_NM * eps) / mu).toFixed(2)),
    unit: 'nm',
    status: 'computed',
    source: `002 eqn 1, 2a0 = 2 x 0.0529 nm x eps / mu with mu = ${mu}, eps = ${eps} from this table`,
  };
}

const P002 = 'Ye et al., paper 002 (002_671de9dd6db1b039.txt)';

function emptyParameters(): MaterialParameters {
  return {
    bandGapEv: null,
    excitonEnergyEv: null,
    reducedMass: null,
    electronMass: null,
    holeMass: null,
    dielectricConstant: null,
    bohrDiameterNm: null,
    excitonBindingMeV: null,
    latticeConstantA: null,
  };
}

const NO_CARRIER_MASSES =
  'Separate electron and hole masses are not in the project references (only the reduced mass); they are left null - supply them with withOverrides if needed.';

const FAPBBR3_EPS = epsFromBinding(0.115, 22);
const MAPBBR3_EPS = epsFromBinding(0.117, 22);
const FAPBI3_EPS = epsFromBinding(0.095, 14);
const MAPBI3_EPS = epsFromBinding(0.104, 16);

const BUILT_IN: readonly Material[] = [
  {
    name: 'CsPbCl3',
    aliases: ['cesium lead chloride', 'caesium lead chloride'],
    description: 'cesium lead chloride, CsPbCl3',
    parameters: {
      ...emptyParameters(),
      bandGapEv: paper(
        3.1,
        'eV',
        'Griffiths et al., paper 000 (000_b4dcfae5c11dfb50.txt), Fig. 4: CsPbCl3 nanocrystal emission at 400 nm',
        'nanocrystal emission energy (size not stated), not a bulk gap; the project sources give no bulk gap',
      ),
      reducedMass: cq(0.202, 'm0', 'Protesescu et al. 2015 / Yang et al. 2017'),
      dielectricConstant: cq(4.07, '', 'Protesescu et al. 2015'),
      bohrDiameterNm: cq(5, 'nm', 'Protesescu et al. 2015', '002 gives 5-12 nm for CsPbX3 (P)'),
      excitonBindingMeV: cq(75, 'meV', 'Protesescu et al. 2015'),
      latticeConstantA: cq(5.61, 'Å', 'commonly quoted cubic CsPbCl3'),
    },
    sizingData: null,
    notes: [
      'The CsPbCl3 reduced mass (0.202) and dielectric constant (4.07) come from different sources and are not mutually consistent: the hydrogenic model gives 2a0 = 2.1 nm and E_b = 166 meV from them, against the quoted 5 nm and 75 meV. Override one of them before using the Brus/cube models for CsPbCl3.',
      NO_CARRIER_MASSES,
    ],
  },
  {
    name: 'CsPbBr3',
    aliases: ['cesium lead bromide', 'caesium lead bromide'],
    description: 'cesium lead bromide, CsPbBr3',
    parameters: {
      ...emptyParameters(),
      bandGapEv: paper(
        2.34,
        'eV',
        'Wang et al., paper 001 (001_c65d8bb517bca875.txt): bulk optical band gap ~2.34 eV',
      ),
      reducedMass: cq(0.126, 'm0', 'Yang et al. 2017 (magneto-optics)'),
      dielectricConstant: cq(7.3, '', 'Yang et al. 2017'),
      bohrDiameterNm: paper(7, 'nm', `${P002}, sections 2 and 3.1 (~7 nm); also paper 004`),
      excitonBindingMeV: cq(33, 'meV', 'Yang et al. 2017'),
      latticeConstantA: cq(5.87, 'Å', 'commonly quoted pseudo-cubic CsPbBr3'),
    },
    sizingData: TABLE1_CSPBBR3,
    notes: [
      'Literature magnitudes of mu and eps differ by up to 2x (Protesescu 2015 vs Yang 2017).',
      NO_CARRIER_MASSES,
    ],
  },
  {
    name: 'CsPbI3',
    aliases: ['cesium lead iodide', 'caesium lead iodide'],
    description: 'cesium lead iodide, CsPbI3',
    parameters: {
      ...emptyParameters(),
      bandGapEv: cq(
        1.73,
        'eV',
        'commonly quoted bulk CsPbI3',
        'paper 000 reports NC PL at 1.79 eV (694 nm) for ~18 nm cubes',
      ),
      reducedMass: cq(0.114, 'm0', 'Yang et al. 2017'),
      dielectricConstant: cq(10, '', 'Yang et al. 2017'),
      bohrDiameterNm: paper(
        12,
        'nm',
        `${P002}, section 3.1 (~12 nm)`,
        'paper 000 gives a Bohr radius of 6 nm',
      ),
      excitonBindingMeV: cq(15, 'meV', 'Yang et al. 2017'),
      latticeConstantA: cq(6.25, 'Å', 'commonly quoted pseudo-cubic CsPbI3', 'quoted as 6.2-6.3 Å'),
    },
    sizingData: TABLE1_CSPBI3,
    notes: [NO_CARRIER_MASSES],
  },
  {
    name: 'FAPbBr3',
    aliases: ['formamidinium lead bromide'],
    description: 'formamidinium lead bromide, HC(NH2)2PbBr3',
    parameters: {
      ...emptyParameters(),
      bandGapEv: cq(2.23, 'eV', 'commonly quoted bulk FAPbBr3'),
      reducedMass: cq(0.115, 'm0', 'commonly quoted FAPbBr3'),
      dielectricConstant: FAPBBR3_EPS,
      bohrDiameterNm: paper(7, 'nm', `${P002}, sections 2 and 3.1 (~7 nm)`),
      excitonBindingMeV: cq(22, 'meV', 'commonly quoted FAPbBr3'),
      latticeConstantA: cq(5.99, 'Å', 'commonly quoted cubic FAPbBr3'),
    },
    sizingData: TABLE1_FAPBBR3,
    notes: [
      'No dielectric constant in the project references: the value is computed from mu and E_b.',
      NO_CARRIER_MASSES,
    ],
  },
  {
    name: 'MAPbBr3',
    aliases: ['methylammonium lead bromide', 'CH3NH3PbBr3'],
    description: 'methylammonium lead bromide, CH3NH3PbBr3',
    parameters: {
      ...emptyParameters(),
      bandGapEv: verified(2.31, 'eV', 'arXiv:1610.01088 (magneto-optics)'),
      excitonEnergyEv: verified(2.288, 'eV', 'arXiv:1610.01088: exciton 22 meV below the gap'),
      reducedMass: cq(0.117, 'm0', 'commonly quoted MAPbBr3'),
      dielectricConstant: MAPBBR3_EPS,
      bohrDiameterNm: bohrComputed(0.117, MAPBBR3_EPS.value),
      excitonBindingMeV: verified(22, 'meV', 'arXiv:1610.01088', 'other reports up to 25 meV'),
      latticeConstantA: cq(5.93, 'Å', 'commonly quoted cubic MAPbBr3'),
    },
    sizingData: null,
    notes: [
      'Paper 002 gives 4-10 nm as the Bohr-diameter range of MAPbX3; the value here is computed from mu and eps.',
      NO_CARRIER_MASSES,
    ],
  },
  {
    name: 'FAPbI3',
    aliases: ['formamidinium lead iodide'],
    description: 'formamidinium lead iodide, HC(NH2)2PbI3',
    parameters: {
      ...emptyParameters(),
      bandGapEv: verified(1.48, 'eV', 'Wright et al. 2016'),
      reducedMass: cq(0.095, 'm0', 'commonly quoted FAPbI3'),
      dielectricConstant: FAPBI3_EPS,
      bohrDiameterNm: paper(10, 'nm', `${P002}, section 3.1 (~10 nm)`),
      excitonBindingMeV: cq(14, 'meV', 'commonly quoted FAPbI3'),
      latticeConstantA: cq(6.36, 'Å', 'commonly quoted cubic FAPbI3'),
    },
    sizingData: null,
    notes: [
      'No dielectric constant in the project references: the value is computed from mu and E_b.',
      NO_CARRIER_MASSES,
    ],
  },
  {
    name: 'MAPbI3',
    aliases: ['methylammonium lead iodide', 'CH3NH3PbI3'],
    description: 'methylammonium lead iodide, CH3NH3PbI3',
    parameters: {
      ...emptyParameters(),
      bandGapEv: verified(1.57, 'eV', 'Wright et al. 2016'),
      reducedMass: verified(0.104, 'm0', 'Miyata et al. 2015 (magneto-absorption)'),
      dielectricConstant: MAPBI3_EPS,
      bohrDiameterNm: bohrComputed(0.104, MAPBI3_EPS.value),
      excitonBindingMeV: verified(
        16,
        'meV',
        'Miyata et al. 2015',
        'low-temperature orthorhombic phase',
      ),
      latticeConstantA: cq(6.31, 'Å', 'commonly quoted pseudo-cubic MAPbI3'),
    },
    sizingData: null,
    notes: [
      'No dielectric constant in the project references: the value is computed from mu and E_b.',
      NO_CARRIER_MASSES,
    ],
  },
];

/** Deep copy so callers can never mutate the built-in table. */
function cloneMaterial(m: Material): Material {
  const parameters = emptyParameters();
  for (const k of PARAMETER_NAMES) {
    const v = m.parameters[k];
    parameters[k] = v ? { ...v } : null;
  }
  return {
    name: m.name,
    aliases: [...m.aliases],
    description: m.description,
    parameters,
    sizingData: m.sizingData,
    notes: [...m.notes],
  };
}

/** Options for lookups: extra (user-defined) materials, searched before the built-in ones. */
export interface MaterialLookupOptions {
  materials?: readonly Material[];
}

function normaliseName(name: string): string {
  // Accept Unicode subscripts (CsPbBr₃) and ignore case and spaces.
  return name
    .replace(/[₀-₉]/g, (c) => String(c.charCodeAt(0) - 0x2080))
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * Names of the known materials (user-defined first, then built-in).
 * @example
 * listMaterialNames(); // ['CsPbCl3', 'CsPbBr3', 'CsPbI3', 'FAPbBr3', 'MAPbBr3', 'FAPbI3', 'MAPbI3']
 */
export function listMaterialNames(options: MaterialLookupOptions = {}): string[] {
  const names = [...(options.materials ?? []).map((m) => m.name), ...BUILT_IN.map((m) => m.name)];
  return [...new Set(names)];
}

/**
 * All known materials (copies; user-defined ones shadow built-ins of the same name).
 * @example
 * listMaterials().map((m) => m.name);
 */
export function listMaterials(options: MaterialLookupOptions = {}): Material[] {
  return listMaterialNames(options).map((n) => getMaterial(n, options));
}

/**
 * Look up a material by name or alias (case-insensitive, Unicode subscripts accepted). Throws
 * `UnknownNameError` listing the known names.
 * @example
 * getMaterial('CsPbBr3').parameters.reducedMass?.value; // 0.126
 * getMaterial('MyDot', { materials: [myDot] });
 */
export function getMaterial(name: string, options: MaterialLookupOptions = {}): Material {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new InvalidInputError('material name is empty; give a name such as CsPbBr3');
  }
  const key = normaliseName(name);
  const all = [...(options.materials ?? []), ...BUILT_IN];
  const found = all.find(
    (m) => normaliseName(m.name) === key || m.aliases.some((a) => normaliseName(a) === key),
  );
  if (!found) throw new UnknownNameError('material', name, listMaterialNames(options));
  return cloneMaterial(found);
}

/**
 * A material given as itself or by name.
 * @example
 * resolveMaterial('CsPbI3').name; // 'CsPbI3'
 */
export function resolveMaterial(
  material: Material | string,
  options: MaterialLookupOptions = {},
): Material {
  return typeof material === 'string' ? getMaterial(material, options) : material;
}

function toSourcedValue(name: ParameterName, input: ValueInput, who: string): SourcedValue | null {
  if (input === null) return null;
  const v = typeof input === 'number' ? { value: input } : input;
  if (typeof v.value !== 'number' || !Number.isFinite(v.value)) {
    throw new InvalidInputError(
      `${who}: ${PARAMETER_LABELS[name]} (${name}) must be a finite number, got ${String(v.value)}`,
    );
  }
  if (v.value <= 0) {
    throw new InvalidInputError(
      `${who}: ${PARAMETER_LABELS[name]} (${name}) must be positive, got ${v.value}`,
    );
  }
  return {
    value: v.value,
    unit: v.unit ?? PARAMETER_UNITS[name],
    status: v.status ?? 'user',
    source: v.source ?? 'user-supplied value',
    ...(v.note ? { note: v.note } : {}),
  };
}

/** Overrides accepted by `withOverrides` / `defineMaterial`: any parameter, as a number or a sourced value. */
export type ParameterOverrides = Partial<Record<ParameterName, ValueInput>>;

function applyOverrides(
  base: MaterialParameters,
  overrides: ParameterOverrides,
  who: string,
): MaterialParameters {
  const out = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (!(PARAMETER_NAMES as string[]).includes(k)) {
      throw new UnknownNameError('material parameter', k, PARAMETER_NAMES);
    }
    if (v === undefined) continue;
    out[k as ParameterName] = toSourcedValue(k as ParameterName, v, who);
  }
  return out;
}

/**
 * A copy of `material` with some parameters replaced. Bare numbers get status `user`.
 * @example
 * const bromide = withOverrides(getMaterial('CsPbBr3'), { reducedMass: 0.15, dielectricConstant: { value: 4.96, source: 'Protesescu 2015' } });
 */
export function withOverrides(
  material: Material | string,
  overrides: ParameterOverrides,
  options: MaterialLookupOptions = {},
): Material {
  const m = cloneMaterial(resolveMaterial(material, options));
  m.parameters = applyOverrides(m.parameters, overrides, m.name);
  return m;
}

/** What `defineMaterial` takes. */
export interface MaterialDefinition {
  name: string;
  description?: string;
  aliases?: string[];
  parameters?: ParameterOverrides;
  sizingData?: SizingDataset | null;
  notes?: string[];
}

/**
 * Define a new material (pass it to lookups with `{ materials: [m] }`, or straight to the model
 * functions).
 * @example
 * const csSnI3 = defineMaterial({ name: 'CsSnI3', parameters: { bandGapEv: 1.3, reducedMass: 0.07, dielectricConstant: 9 } });
 */
export function defineMaterial(def: MaterialDefinition): Material {
  if (!def || typeof def.name !== 'string' || def.name.trim() === '') {
    throw new InvalidInputError('defineMaterial needs a non-empty name');
  }
  return {
    name: def.name.trim(),
    aliases: [...(def.aliases ?? [])],
    description: def.description ?? def.name.trim(),
    parameters: applyOverrides(emptyParameters(), def.parameters ?? {}, def.name.trim()),
    sizingData: def.sizingData ?? null,
    notes: [...(def.notes ?? [])],
  };
}

/**
 * A parameter's value, or an `InvalidInputError` naming the material and how to supply it.
 * @example
 * requireParameter(getMaterial('CsPbBr3'), 'reducedMass'); // 0.126
 */
export function requireParameter(material: Material, name: ParameterName): number {
  const v = material.parameters[name];
  if (!v) {
    throw new InvalidInputError(
      `${material.name} has no ${PARAMETER_LABELS[name]} (${name}) in the table; supply one with withOverrides(material, { ${name}: value })`,
    );
  }
  return v.value;
}

/** One parameter as a table row. */
export interface ParameterRow {
  parameter: ParameterName;
  label: string;
  value: number | null;
  unit: string;
  status: ValueStatus | null;
  source: string | null;
  note: string | null;
}

/**
 * The material's parameters as rows (for tables and JSON).
 * @example
 * parameterRows(getMaterial('CsPbI3')).find((r) => r.parameter === 'bohrDiameterNm')?.value; // 12
 */
export function parameterRows(material: Material): ParameterRow[] {
  return PARAMETER_NAMES.map((k) => {
    const v = material.parameters[k];
    return {
      parameter: k,
      label: PARAMETER_LABELS[k],
      value: v ? v.value : null,
      unit: v ? v.unit : PARAMETER_UNITS[k],
      status: v ? v.status : null,
      source: v ? v.source : null,
      note: v?.note ?? null,
    };
  });
}
