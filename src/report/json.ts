import type { Provenance } from '../core/provenance.js';
import type { Report, ReportSection } from './types.js';

/** The results.json form of a report: plain JSON data, figures kept as specs. */
export interface ReportJson {
  title: string;
  provenance: Provenance;
  sections: Array<ReportSection & { results?: unknown }>;
}

/**
 * Deep copy of a value as plain JSON data: typed arrays become arrays, non-finite numbers
 * become `null`, dates become ISO strings, functions and `undefined` fields are dropped.
 *
 * @example
 * JSON.stringify(toPlainData({ best: new Float64Array([1, NaN]) })); // '{"best":[1,null]}'
 */
export function toPlainData(value: unknown): unknown {
  return plain(value, new Set());
}

function plain(v: unknown, seen: Set<object>): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'object') return null;
  if (v instanceof Date) return v.toISOString();
  if (seen.has(v)) return null; // cycles are cut
  seen.add(v);
  try {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => plain(x, seen));
    }
    if (Array.isArray(v)) return v.map((x) => plain(x, seen));
    if (v instanceof Map) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v) o[String(k)] = plain(x, seen);
      return o;
    }
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || typeof x === 'function') continue;
      o[k] = plain(x, seen);
    }
    return o;
  } finally {
    seen.delete(v);
  }
}

/**
 * The report as plain data for `results.json`. `results`, keyed by section id, is attached to
 * the matching sections (numbers and tables a program can read back).
 *
 * @example
 * await writeFile('results.json', JSON.stringify(reportToJson(report, results), null, 2));
 */
export function reportToJson(report: Report, results: Record<string, unknown> = {}): ReportJson {
  return {
    title: report.title,
    provenance: toPlainData(report.provenance) as Provenance,
    sections: report.sections.map((s) => {
      const out = toPlainData(s) as ReportSection & { results?: unknown };
      if (results[s.id] !== undefined) out.results = toPlainData(results[s.id]);
      return out;
    }),
  };
}
