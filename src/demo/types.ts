import type { ReportSection } from '../report/types.js';

/** What a demo section gets: its own seed, derived from the demo's master seed and the section id. */
export interface DemoContext {
  /** This section's seed (reproducible, independent of the other sections). */
  seed: number;
  /** A seed for one random stream of the section, e.g. `createRng(ctx.rngSeed('noise'))`. */
  rngSeed(label: string): number;
}

/** What a section returns: its part of the report, and plain-data results for results.json. */
export interface DemoSectionOutput {
  section: ReportSection;
  results: Record<string, unknown>;
}

/** One demo section, registered in `src/demo/sections/index.ts`. */
export interface DemoSection {
  /** Stable id: report anchor, results.json key, and the name for `only`. */
  id: string;
  title: string;
  run(ctx: DemoContext): Promise<DemoSectionOutput>;
}
