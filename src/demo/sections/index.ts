import type { DemoSection } from '../types.js';
import { fittingSection } from './fitting.js';
import { fluenceSection } from './fluence.js';
import { materialsSection } from './materials.js';
import { spectraSection } from './spectra.js';
import { taSection } from './ta.js';
import { tcspcSection } from './tcspc.js';
import { transportSection } from './transport.js';
import { xpsSection } from './xps.js';

/**
 * The demo's sections, in report order. Each domain adds its own file in this folder and one
 * line to this list.
 */
// prettier-ignore
export const DEMO_SECTIONS: readonly DemoSection[] = [
  fittingSection,
  materialsSection,
  spectraSection,
  xpsSection,
  transportSection,
  fluenceSection,
  taSection,
  tcspcSection,
];
