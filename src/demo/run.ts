import { UnknownNameError, InvalidInputError } from '../core/errors.js';
import { provenance } from '../core/provenance.js';
import { renderReportHtml } from '../report/html.js';
import type { Report, ReportSection } from '../report/types.js';
import { sectionContext } from './seed.js';
import { DEMO_SECTIONS } from './sections/index.js';
import type { DemoSection } from './types.js';

/** Master seed of the demo when none is given. */
export const DEFAULT_DEMO_SEED = 20240601;

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  /** Master seed; each section derives its own from it and its id. */
  seed?: number;
  /** DOM document for the figures (Node: a linkedom document, see nanolum/node). */
  document?: Document;
  /** Called before each section and once at the end (done = total). */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Run only the sections with these ids, in the registered order. */
  only?: string[];
  /** Sections to run instead of the registered list (tests, custom demos). */
  sections?: readonly DemoSection[];
}

/** The demo's outputs: the report, its HTML page, and plain-data results keyed by section id. */
export interface DemoOutput {
  report: Report;
  html: string;
  results: Record<string, unknown>;
}

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Run the demo: every registered section (or those in `only`) with its own seed derived from
 * the master seed, then assemble the report and its HTML. A section that throws does not stop
 * the demo: its report part says what failed and its results carry `{ error }`.
 * Platform-neutral (Node passes a linkedom `document`; browsers use their own).
 *
 * @example
 * const { html, results } = await runDemo({ seed: 1, document: nodeDocument(), onProgress: (d, n, l) => console.log(d, n, l) });
 */
export async function runDemo(options: RunDemoOptions = {}): Promise<DemoOutput> {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!Number.isSafeInteger(seed))
    throw new InvalidInputError(`demo seed must be an integer, got ${String(seed)}`);
  const registered = options.sections ?? DEMO_SECTIONS;
  let selected = registered;
  if (options.only) {
    const known = registered.map((s) => s.id);
    for (const id of options.only)
      if (!known.includes(id)) throw new UnknownNameError('demo section', id, known);
    selected = registered.filter((s) => options.only!.includes(s.id));
  }
  const total = selected.length;
  const sections: ReportSection[] = [];
  const results: Record<string, unknown> = {};
  for (let i = 0; i < total; i++) {
    const s = selected[i];
    options.onProgress?.(i, total, s.title);
    await nextTick();
    try {
      const out = await s.run(sectionContext(seed, s.id));
      sections.push({ ...out.section, id: s.id });
      results[s.id] = out.results;
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      sections.push({
        id: s.id,
        title: s.title,
        blocks: [{ kind: 'text', text: `This section failed and was skipped. ${message}` }],
      });
      results[s.id] = { error: message };
    }
  }
  options.onProgress?.(total, total, 'done');
  const report: Report = {
    title: 'nanolum demonstration report',
    sections,
    provenance: provenance('demo', { sections: selected.map((s) => s.id) }, { seed }),
  };
  const html = renderReportHtml(report, { document: options.document });
  return { report, html, results };
}
