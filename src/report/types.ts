import type { Provenance } from '../core/provenance.js';
import type { FigureSpec } from '../plot/types.js';

/** A block of a report section. Plain data: the HTML writer renders it, JSON keeps it. */
export type ReportBlock =
  | { kind: 'text'; text: string }
  | { kind: 'figure'; figure: FigureSpec; caption?: string }
  | {
      kind: 'table';
      columns: string[];
      rows: Array<Array<string | number | null>>;
      caption?: string;
    }
  /** Preformatted text, e.g. a fit report. */
  | { kind: 'pre'; text: string; caption?: string };

export interface ReportSection {
  /** Stable id used for anchors and as the key in results.json. */
  id: string;
  title: string;
  blocks: ReportBlock[];
}

export interface Report {
  title: string;
  sections: ReportSection[];
  provenance: Provenance;
}
