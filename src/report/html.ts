import { InvalidInputError } from '../core/errors.js';
import type { Provenance } from '../core/provenance.js';
import { renderSvg } from '../plot/render.js';
import type { ReportBlock, Report } from './types.js';

/** Options of {@link renderReportHtml}. */
export interface ReportHtmlOptions {
  /** DOM document to draw the figures with; default `globalThis.document` (Node: linkedom, see nanolum/node). */
  document?: Document;
}

/**
 * Escape text for HTML element content and quoted attribute values.
 *
 * @example
 * escapeHtml('<script>'); // '&lt;script&gt;'
 */
export function escapeHtml(text: unknown): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A section id as a safe HTML anchor. */
function anchor(id: string): string {
  return `sec-${String(id).replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

const SUP: Record<string, string> = {
  '-': '⁻',
  '+': '',
  0: '⁰',
  1: '¹',
  2: '²',
  3: '³',
  4: '⁴',
  5: '⁵',
  6: '⁶',
  7: '⁷',
  8: '⁸',
  9: '⁹',
};

/**
 * Table cell text: integers as is, other numbers to 10 significant digits (`a×10ⁿ` when very
 * large or small), typographic minus, `null` and non-finite numbers as a dash.
 */
function cellText(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return '—';
  let s: string;
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e15) s = String(v);
  else if (a !== 0 && (a >= 1e9 || a < 1e-4)) {
    const [m, e] = v.toExponential(9).split('e');
    s = `${m.replace(/\.?0+$/, '')}×10${e
      .split('')
      .map((c) => SUP[c] ?? c)
      .join('')}`;
  } else s = String(Number(v.toPrecision(10)));
  return s.replace(/^-/, '−');
}

/** True for cell text that reads as a number (right-aligned). */
function looksNumeric(v: string | number | null | undefined): boolean {
  if (typeof v === 'number') return true;
  return (
    typeof v === 'string' && /^\s*[-−+]?(\d|\.\d)[\d.,]*(\s*(±|×10|e[-+]?\d)[\s\S]*)?$/.test(v)
  );
}

function humanBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

function paragraphs(text: string): string {
  return String(text)
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('\n');
}

interface Counters {
  figure: number;
  table: number;
}

function renderBlock(
  block: ReportBlock,
  where: string,
  counters: Counters,
  doc: Document | undefined,
): string {
  switch (block.kind) {
    case 'text':
      return paragraphs(block.text);
    case 'figure': {
      counters.figure++;
      let svg: string;
      try {
        svg = renderSvg(block.figure, { document: doc });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new InvalidInputError(`${where}, figure ${counters.figure}: ${msg}`);
      }
      const cap = block.caption ?? block.figure.title ?? '';
      return `<figure class="figure">\n${svg}\n<figcaption><span class="label">Figure ${counters.figure}.</span> ${escapeHtml(cap)}</figcaption>\n</figure>`;
    }
    case 'table': {
      counters.table++;
      const cols = Array.isArray(block.columns) ? block.columns : [];
      const numeric = cols.map(
        (_, j) =>
          block.rows.length > 0 &&
          block.rows.every((r) => r[j] === null || looksNumeric(r[j])) &&
          block.rows.some((r) => r[j] !== null),
      );
      const head = cols
        .map((c, j) => `<th${numeric[j] ? ' class="num"' : ''}>${escapeHtml(c)}</th>`)
        .join('');
      const body = block.rows
        .map((r, i) => {
          if (!Array.isArray(r) || r.length !== cols.length) {
            throw new InvalidInputError(
              `${where}, table ${counters.table}: row ${i + 1} has ${Array.isArray(r) ? r.length : 0} cells but there are ${cols.length} columns`,
            );
          }
          return `<tr>${r.map((v, j) => `<td${numeric[j] ? ' class="num"' : ''}>${escapeHtml(cellText(v))}</td>`).join('')}</tr>`;
        })
        .join('\n');
      const cap = block.caption
        ? `<caption><span class="label">Table ${counters.table}.</span> ${escapeHtml(block.caption)}</caption>`
        : '';
      return `<div class="table-wrap"><table>${cap}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
    }
    case 'pre': {
      const cap = block.caption
        ? `<div class="pre-caption">${escapeHtml(block.caption)}</div>`
        : '';
      return `<div class="pre-block">${cap}<pre>${escapeHtml(block.text)}</pre></div>`;
    }
    default: {
      const k = (block as { kind?: unknown }).kind;
      throw new InvalidInputError(
        `${where}: unknown block kind "${String(k)}" (text, figure, table, pre)`,
      );
    }
  }
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '—';
  if (typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function provenanceHtml(p: Provenance): string {
  const rows: Array<[string, string]> = [
    ['Software', `${p.software ?? 'nanolum'} ${p.version ?? ''}`.trim()],
    ['Analysis', p.analysis ?? ''],
    ['Created', p.createdAt ?? ''],
    ['Random seed', p.seed === null || p.seed === undefined ? 'none' : String(p.seed)],
  ];
  const dl = rows
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n');
  const params = Object.entries(p.parameters ?? {});
  const paramsHtml =
    params.length === 0
      ? '<p class="muted">No parameters.</p>'
      : `<table class="kv"><thead><tr><th>Parameter</th><th>Value</th></tr></thead><tbody>\n${params
          .map(
            ([k, v]) =>
              `<tr><td><code>${escapeHtml(k)}</code></td><td><code>${escapeHtml(valueText(v))}</code></td></tr>`,
          )
          .join('\n')}\n</tbody></table>`;
  const inputs = p.inputs ?? [];
  const inputsHtml =
    inputs.length === 0
      ? '<p class="muted">No input files (simulated or embedded data).</p>'
      : `<table class="inputs"><thead><tr><th>File</th><th class="num">Size</th><th>SHA-256</th></tr></thead><tbody>\n${inputs
          .map(
            (f) =>
              `<tr><td>${escapeHtml(f.name)}</td><td class="num" title="${escapeHtml(String(f.bytes))} bytes">${escapeHtml(humanBytes(f.bytes))}</td><td><code class="hash">${escapeHtml(f.sha256)}</code></td></tr>`,
          )
          .join('\n')}\n</tbody></table>`;
  return `<footer class="provenance" id="provenance">
<h2>Provenance</h2>
<table class="kv"><tbody>
${dl}
</tbody></table>
<h3>Parameters</h3>
${paramsHtml}
<h3>Input files</h3>
${inputsHtml}
</footer>`;
}

const CSS = `
:root { --ink: #1d1d1f; --muted: #5f6368; --rule: #d9dce1; --accent: #0072B2; --bg-soft: #f6f7f9; }
* { box-sizing: border-box; }
html { background: #fff; }
body { margin: 0 auto; max-width: 960px; padding: 28px 32px 48px; color: var(--ink); background: #fff;
  font: 15px/1.55 'Liberation Sans', Arial, Helvetica, 'DejaVu Sans', sans-serif; }
header.report-head { border-bottom: 2px solid var(--ink); padding-bottom: 10px; margin-bottom: 18px; }
h1 { font-size: 28px; line-height: 1.2; margin: 0 0 6px; }
h2 { font-size: 21px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 16px; margin: 20px 0 8px; }
.meta, .muted { color: var(--muted); font-size: 13px; }
a { color: var(--accent); }
nav.toc { background: var(--bg-soft); border: 1px solid var(--rule); border-radius: 6px; padding: 10px 18px; }
nav.toc h2 { font-size: 15px; margin: 4px 0 6px; border: 0; padding: 0; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
nav.toc ol { margin: 0; padding-left: 22px; columns: 2; column-gap: 32px; }
nav.toc li { break-inside: avoid; }
figure.figure { margin: 18px 0; text-align: center; }
figure.figure svg { width: 100%; max-width: 800px; height: auto; }
figcaption, caption { font-size: 13px; color: var(--muted); text-align: left; margin-top: 4px; }
caption { caption-side: top; margin-bottom: 6px; }
.label { font-weight: bold; color: var(--ink); }
.table-wrap { overflow-x: auto; margin: 16px 0; }
table { border-collapse: collapse; font-size: 13.5px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 1.5px solid var(--ink); background: var(--bg-soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pre-block { margin: 16px 0; }
.pre-caption { font-size: 13px; color: var(--muted); margin-bottom: 4px; }
pre { background: var(--bg-soft); border: 1px solid var(--rule); border-radius: 4px; padding: 10px 12px;
  overflow-x: auto; font: 12.5px/1.45 'Liberation Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace; white-space: pre; }
code { font-family: 'Liberation Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 12.5px; }
code.hash { word-break: break-all; font-size: 11.5px; }
footer.provenance { margin-top: 40px; border-top: 2px solid var(--ink); }
footer.provenance h2 { border: 0; }
table.kv th { background: none; font-weight: bold; white-space: nowrap; }
@media print {
  @page { size: A4; margin: 16mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h1 { font-size: 20pt; }
  h2 { font-size: 14pt; break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  nav.toc { background: none; }
  a { color: inherit; text-decoration: none; }
  figure.figure, .table-wrap, .pre-block, tr { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap, pre { overflow: visible; }
  pre { white-space: pre-wrap; background: none; }
  thead th { background: none; }
  section.report-section { break-before: auto; }
  footer.provenance { break-before: page; page-break-before: always; }
}
`;

/**
 * Render a report as one self-contained HTML page: inline CSS, inline SVG figures, no
 * scripts and no network requests. All text is escaped.
 *
 * @example
 * const html = renderReportHtml(report, { document: nodeDocument() }); // Node
 * const html = renderReportHtml(report); // browser
 */
export function renderReportHtml(report: Report, options: ReportHtmlOptions = {}): string {
  if (!report || typeof report !== 'object' || !Array.isArray(report.sections)) {
    throw new InvalidInputError('report must have a title, a sections array and provenance');
  }
  const doc = options.document ?? (globalThis as { document?: Document }).document;
  const counters: Counters = { figure: 0, table: 0 };
  const ids = new Set<string>();
  const sections = report.sections.map((s, i) => {
    let id = anchor(s.id);
    while (ids.has(id)) id += '-2';
    ids.add(id);
    const where = `report section "${s.title ?? s.id}"`;
    const blocks = (s.blocks ?? []).map((b) => renderBlock(b, where, counters, doc)).join('\n');
    return {
      id,
      title: s.title ?? s.id,
      html: `<section class="report-section" id="${escapeHtml(id)}">\n<h2>${i + 1}. ${escapeHtml(s.title ?? s.id)}</h2>\n${blocks}\n</section>`,
    };
  });
  const p = report.provenance;
  const toc = `<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>\n${sections
    .map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`)
    .join('\n')}\n<li><a href="#provenance">Provenance</a></li></ol></nav>`;
  const meta = p
    ? `<p class="meta">${escapeHtml(p.software ?? 'nanolum')} ${escapeHtml(p.version ?? '')} · ${escapeHtml(p.createdAt ?? '')}${
        p.seed !== null && p.seed !== undefined ? ` · seed ${escapeHtml(String(p.seed))}` : ''
      }</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${p?.software ?? 'nanolum'} ${p?.version ?? ''}`.trim())}">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(report.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="report-head"><h1>${escapeHtml(report.title)}</h1>
${meta}</header>
${toc}
<main>
${sections.map((s) => s.html).join('\n')}
</main>
${p ? provenanceHtml(p) : ''}
</body>
</html>
`;
}
