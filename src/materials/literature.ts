/**
 * Literature data sets, transcribed from the papers in the project's `shared/papers/` folder, each
 * with its citation. The papers are plain-text dumps; the tables were reconstructed by hand, and
 * any cell that could not be read with certainty is listed in the data set's `unreadable` notes.
 */

/** A citation for a data set: the paper, where in it, and the project's paper file. */
export interface Citation {
  /** Short author-year style reference. */
  reference: string;
  /** Table, equation, figure or section the numbers come from. */
  location: string;
  /** File name of the paper in the project's `shared/papers/` folder. */
  paperFile: string;
}

/** One row of a size vs PL-peak table: sizes and peaks are ranges `[low, high]` (equal if single). */
export interface SizingRow {
  /** Nanocrystal edge length (or diameter) range in nm. */
  edgeNm: [number, number];
  /** PL peak wavelength range in nm. */
  peakNm: [number, number];
  /** Reference numbers of the review's bibliography behind this cell. */
  refs: number[];
  /** Anything doubtful about this cell. */
  note?: string;
}

/** Size vs PL-peak data for one material. */
export interface SizingDataset {
  material: string;
  citation: Citation;
  rows: SizingRow[];
  /** Cells of the source table that could not be read with certainty. */
  unreadable: string[];
}

const REF_002 =
  'Ye et al., strongly-confined colloidal lead-halide perovskite quantum dots (tutorial review)';
const FILE_002 = '002_671de9dd6db1b039.txt';
const REF_004 =
  'Bornschlegl et al., dark-bright exciton splitting dominates low-temperature diffusion in halide perovskite nanocrystal assemblies';
const FILE_004 = '004_88856480bfa7a2ac.txt';
const REF_000 =
  'Griffiths et al., effect of size on the luminescent efficiency of perovskite nanocrystals';
const FILE_000 = '000_b4dcfae5c11dfb50.txt';

const TABLE1_CITATION: Citation = {
  reference: REF_002,
  location: 'Table 1 (size of the nanocrystal vs PL peak position)',
  paperFile: FILE_002,
};

const TABLE1_COMMON_NOTES = [
  'Column alignment was read from the tab separators of the text dump: the CsPbI3 cell of the 3.5-3.7 nm row and the CsPbI3 and FAPbBr3 cells of the 16.4 nm and 20 nm rows are empty in the dump and are taken as empty in the table.',
];

/**
 * Table 1 of paper 002 (Ye et al.), CsPbBr3 column: nanocrystal size vs PL peak.
 * @example
 * TABLE1_CSPBBR3.rows[1]; // { edgeNm: [4, 4], peakNm: [476, 481], refs: [24, 75] }
 */
export const TABLE1_CSPBBR3: SizingDataset = {
  material: 'CsPbBr3',
  citation: TABLE1_CITATION,
  rows: [
    { edgeNm: [3.5, 3.7], peakNm: [467, 472], refs: [24, 54] },
    { edgeNm: [4, 4], peakNm: [476, 481], refs: [24, 75] },
    { edgeNm: [5, 5.6], peakNm: [490, 495], refs: [24, 43, 54, 75] },
    { edgeNm: [6, 6.2], peakNm: [498, 498], refs: [24] },
    { edgeNm: [7.5, 7.5], peakNm: [505, 510], refs: [54, 75] },
    { edgeNm: [8.6, 13], peakNm: [514, 516], refs: [23, 56, 75] },
    { edgeNm: [16.4, 16.4], peakNm: [518, 518], refs: [75] },
    { edgeNm: [20, 20], peakNm: [520, 520], refs: [56] },
  ],
  unreadable: [...TABLE1_COMMON_NOTES],
};

/**
 * Table 1 of paper 002 (Ye et al.), CsPbI3 column (no entry for 3.5-3.7, 16.4 or 20 nm).
 * @example
 * TABLE1_CSPBI3.rows.length; // 5
 */
export const TABLE1_CSPBI3: SizingDataset = {
  material: 'CsPbI3',
  citation: TABLE1_CITATION,
  rows: [
    { edgeNm: [4, 4], peakNm: [623, 623], refs: [54] },
    { edgeNm: [5, 5.6], peakNm: [630, 642], refs: [47, 54] },
    { edgeNm: [6, 6.2], peakNm: [648, 648], refs: [54] },
    { edgeNm: [7.5, 7.5], peakNm: [663, 663], refs: [54] },
    { edgeNm: [8.6, 13], peakNm: [672, 683], refs: [54, 56] },
  ],
  unreadable: [...TABLE1_COMMON_NOTES],
};

/**
 * Table 1 of paper 002 (Ye et al.), FAPbBr3 column (no entry for 16.4 or 20 nm).
 * @example
 * TABLE1_FAPBBR3.rows[0].peakNm; // [490, 490]
 */
export const TABLE1_FAPBBR3: SizingDataset = {
  material: 'FAPbBr3',
  citation: TABLE1_CITATION,
  rows: [
    { edgeNm: [3.5, 3.7], peakNm: [490, 490], refs: [67] },
    { edgeNm: [4, 4], peakNm: [484, 498], refs: [67, 109] },
    {
      edgeNm: [5, 5.6],
      peakNm: [500, 500],
      refs: [109],
      note: 'the dump reads "500, 109" with a dangling comma: a second value or reference may have been lost; read as 500 nm',
    },
    { edgeNm: [6, 6.2], peakNm: [515, 515], refs: [67] },
    { edgeNm: [7.5, 7.5], peakNm: [521, 521], refs: [109] },
    { edgeNm: [8.6, 13], peakNm: [530, 530], refs: [57, 110] },
  ],
  unreadable: [
    ...TABLE1_COMMON_NOTES,
    'FAPbBr3, 5-5.6 nm row: "500, 109" has a dangling comma (a value may be missing); read as 500 nm.',
    'FAPbBr3 is not monotonic in the table (3.5-3.7 nm -> 490 nm but 4 nm -> 484-498 nm); kept as printed.',
  ],
};

/** All three columns of 002 Table 1. */
export const TABLE1_002: readonly SizingDataset[] = [TABLE1_CSPBBR3, TABLE1_CSPBI3, TABLE1_FAPBBR3];

/** One LED of 002 Table 2. */
export interface LedRecord {
  /** Emitter composition as printed, ASCII (e.g. `CsPbI3`, `CsPb(BrxCl1-x)3`). */
  material: string;
  /** `QDs` strongly-confined dots, `NPL` nanoplatelets, `NC` weakly/intermediately confined nanocrystals, `film`. */
  kind: 'QDs' | 'NPL' | 'NC' | 'film';
  emitter: 'red' | 'blue';
  /** Electroluminescence peak centre in nm. */
  elPeakNm: number;
  /** External quantum efficiency in percent. */
  eqePercent: number;
  /** Size in nm (edge, or thickness for platelets), `null` for films. */
  sizeNm: number | null;
  /** The size cell as printed (`2.6 (thickness)`, `Quasi-2D`, `Bulk`). */
  sizeText: string;
  year: number;
  /** Reference number in 002's bibliography. */
  ref: number;
  /** Quantum dots synthesised on the substrate (footnote a of the table). */
  onSubstrate: boolean;
}

/** A data set of LEDs with citation. */
export interface LedDataset {
  citation: Citation;
  rows: LedRecord[];
  unreadable: string[];
}

function led(
  emitter: 'red' | 'blue',
  material: string,
  kind: LedRecord['kind'],
  elPeakNm: number,
  eqePercent: number,
  sizeText: string,
  year: number,
  ref: number,
  onSubstrate = false,
): LedRecord {
  const size = Number.parseFloat(sizeText);
  return {
    material,
    kind,
    emitter,
    elPeakNm,
    eqePercent,
    sizeNm: Number.isFinite(size) ? size : null,
    sizeText,
    year,
    ref,
    onSubstrate,
  };
}

/**
 * Table 2 of paper 002 (Ye et al.): red and blue perovskite LEDs (EL peak, EQE, size, year).
 * @example
 * TABLE2_002.rows.filter((r) => r.emitter === 'blue' && r.kind === 'QDs').length; // 4
 */
export const TABLE2_002: LedDataset = {
  citation: {
    reference: REF_002,
    location: 'Table 2 (performance of red and blue perovskite QD and NC LEDs)',
    paperFile: FILE_002,
  },
  rows: [
    led('red', 'CsPbI3', 'QDs', 678, 5.92, '5.38', 2019, 13),
    led('red', 'CsPbI3', 'QDs', 630, 6.4, '5', 2021, 47),
    led('red', 'CsPbI3', 'QDs', 634, 7.1, '6.5', 2022, 48),
    led('red', 'CsPbI3', 'QDs', 650, 18, '5', 2022, 49),
    led('red', 'CsPbI3', 'QDs', 679, 20.8, '6.5', 2022, 22, true),
    led('red', 'CsPbI3', 'QDs', 644, 28.5, '5.4', 2024, 50),
    led('red', 'CsPbI3', 'NPL', 634, 5.3, '2.6 (thickness)', 2023, 171),
    led('red', 'CsPbI3', 'NPL', 609, 2.7, '2.5 (thickness)', 2024, 52),
    led('red', 'MAPb(BrxI1-x)3', 'NC', 620, 20.3, '12', 2021, 168),
    led('red', '((PEA)NMA)2CsPb2I7', 'film', 680, 25.8, 'Quasi-2D', 2022, 170),
    led('blue', 'CsPbBr3', 'QDs', 470, 12.3, '4.2', 2020, 172),
    led('blue', 'CsPbBr3', 'QDs', 470, 4.7, '4', 2021, 51),
    led('blue', 'CsPbBr3', 'QDs', 465, 10.3, '3.5', 2022, 22, true),
    led('blue', 'CsPbBr3', 'QDs', 480, 17.9, '4.2', 2022, 22, true),
    led('blue', 'CsPbBr3', 'NPL', 455, 4.15, '2 (thickness)', 2023, 173),
    led('blue', 'CsPb(BrxCl1-x)3', 'NC', 470, 6.3, '9.2', 2020, 167),
    led('blue', 'CsPb(BrxCl1-x)3', 'film', 483, 18.65, 'Bulk', 2023, 169),
  ],
  unreadable: [
    'All 17 rows were readable. Subscripts (x, 1-x, 3) were flattened to ASCII; footnote a ("on substrate quantum-dot synthesis") is the `onSubstrate` flag.',
  ],
};

/** Bright-dark splitting of one nanocrystal size (004). */
export interface SplittingRecord {
  edgeNm: number;
  brightDarkSplittingMeV: number;
}

/** PL decay components at 10 K (004); `null` where the paper reports none. */
export interface LowTemperatureLifetimeRecord {
  edgeNm: number;
  temperatureK: number;
  tauBrightPs: number | null;
  tauDarkNs: number | null;
  /** Fraction of photons from the fast (bright) component, `null` when not given. */
  brightPhotonFraction: number | null;
  note: string;
}

/** Numbers from paper 004 (CsPbBr3 nanocubes: 14 nm drop-cast film, 8 nm and 5 nm superlattices). */
export interface Bornschlegl004Data {
  citation: Citation;
  material: 'CsPbBr3';
  splittings: SplittingRecord[];
  lifetimes10K: LowTemperatureLifetimeRecord[];
  /** PL peaks in nm: the paper gives the range 515 (largest) to 498 nm (smallest). */
  plPeakRangeNm: [number, number];
  /** kT equals the 5 nm splitting (15 meV) at this temperature (K), as stated in the paper. */
  splittingTemperatureK: number;
  /** Literature maximum splitting quoted in 004 for 4 nm cubes (meV). */
  maxSplittingMeV4nm: number;
  /** Monte Carlo lifetimes used in 004: bright ~1.5 ns, dark ~1 us. */
  monteCarloLifetimes: { tauBrightNs: number; tauDarkNs: number };
}

/**
 * Paper 004 (Bornschlegl et al.): bright-dark splittings 3/6/15 meV for 14/8/5 nm CsPbBr3, and
 * the bright/dark PL lifetimes at 10 K.
 * @example
 * BORNSCHLEGL_004.splittings.map((s) => s.brightDarkSplittingMeV); // [3, 6, 15]
 */
export const BORNSCHLEGL_004: Bornschlegl004Data = {
  citation: {
    reference: REF_004,
    location: 'Section 2.2 (bright-dark exciton splitting), Figure 2c, Figures S9-S10',
    paperFile: FILE_004,
  },
  material: 'CsPbBr3',
  splittings: [
    { edgeNm: 14, brightDarkSplittingMeV: 3 },
    { edgeNm: 8, brightDarkSplittingMeV: 6 },
    { edgeNm: 5, brightDarkSplittingMeV: 15 },
  ],
  lifetimes10K: [
    {
      edgeNm: 5,
      temperatureK: 10,
      tauBrightPs: 480,
      tauDarkNs: 52,
      brightPhotonFraction: 0.42,
      note: 'two distinct lifetimes; ~58 % of photons from the dark state',
    },
    {
      edgeNm: 8,
      temperatureK: 10,
      tauBrightPs: 400,
      tauDarkNs: 36,
      brightPhotonFraction: 0.76,
      note: 'dark-exciton decay visible but weaker than for 5 nm',
    },
    {
      edgeNm: 14,
      temperatureK: 10,
      tauBrightPs: null,
      tauDarkNs: null,
      brightPhotonFraction: null,
      note: 'only the fast bright decay is observed; no value given in the main text',
    },
  ],
  plPeakRangeNm: [498, 515],
  splittingTemperatureK: 174,
  maxSplittingMeV4nm: 17,
  monteCarloLifetimes: { tauBrightNs: 1.5, tauDarkNs: 1000 },
};

/** The absorption cross-section measured in paper 000. */
export interface CrossSectionRecord {
  citation: Citation;
  material: string;
  sigmaCm2: number;
  sigmaCm2Stderr: number;
  wavelengthNm: number;
  /** Mean edge length of the cuboids in nm (~18 nm). */
  edgeNm: number;
  /** PL peak of the ensemble (1.79 eV, 694 nm). */
  plPeakEv: number;
}

/**
 * Paper 000 (Griffiths et al.): sigma_abs = (2.9 ± 0.2) x 10^-14 cm^2 at 400 nm for ~18 nm CsPbI3.
 * @example
 * GRIFFITHS_000.sigmaCm2; // 2.9e-14
 */
export const GRIFFITHS_000: CrossSectionRecord = {
  citation: {
    reference: REF_000,
    location: 'Results (fluence-dependent QE_PL, Fig. 1c) and ADF-STEM sizes',
    paperFile: FILE_000,
  },
  material: 'CsPbI3',
  sigmaCm2: 2.9e-14,
  sigmaCm2Stderr: 0.2e-14,
  wavelengthNm: 400,
  edgeNm: 18,
  plPeakEv: 1.79,
};
