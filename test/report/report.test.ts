import { DOMParser } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { inputRecord, provenance } from '../../src/core/provenance.js';
import { VERSION } from '../../src/core/version.js';
import { nodeDocument } from '../../src/node/svg.js';
import { renderReportHtml, escapeHtml } from '../../src/report/html.js';
import { reportToJson, toPlainData } from '../../src/report/json.js';
import { tableToCsv } from '../../src/report/csv.js';
import type { Report } from '../../src/report/types.js';

const EVIL = '<script>alert("pwned")</script>';

async function sampleReport(evil = false): Promise<Report> {
  const bytes = new TextEncoder().encode('time,counts\n0,100\n1,37\n');
  const input = await inputRecord(evil ? `${EVIL}.csv` : 'decay.csv', bytes);
  return {
    title: evil ? `Report ${EVIL}` : 'Decay analysis',
    sections: [
      {
        id: evil ? '"><img src=x onerror=alert(1)>' : 'decay',
        title: evil ? `Section ${EVIL}` : 'PL decay',
        blocks: [
          { kind: 'text', text: evil ? `Text ${EVIL}` : 'First paragraph.\n\nSecond paragraph.' },
          {
            kind: 'figure',
            figure: {
              title: evil ? EVIL : 'Decay',
              x: { label: 'Time', unit: 'ns' },
              y: { label: 'Counts', scale: 'log' },
              series: [
                { type: 'line', x: [0, 1, 2], y: [100, 37, 14], label: evil ? EVIL : 'Fit' },
              ],
            },
            caption: evil ? EVIL : 'The decay.',
          },
          {
            kind: 'table',
            columns: ['Parameter', evil ? EVIL : 'Value', 'Stderr'],
            rows: [
              ['tau', 1.0000000001, 0.02],
              [evil ? EVIL : 'A', -100, null],
            ],
            caption: evil ? EVIL : 'Fitted parameters.',
          },
          {
            kind: 'pre',
            text: evil ? EVIL : 'tau = 1.00 ± 0.02 ns',
            caption: evil ? EVIL : 'Fit report',
          },
        ],
      },
      { id: 'second', title: 'Second section', blocks: [{ kind: 'text', text: 'More.' }] },
    ],
    provenance: provenance(
      'tcspc-fit',
      { model: evil ? EVIL : 'mono-exponential', bins: 2 },
      { seed: 7, inputs: [input], createdAt: new Date('2025-01-02T03:04:05Z') },
    ),
  };
}

describe('renderReportHtml', () => {
  it('writes one self-contained page: title, contents, sections with figures, tables and pre blocks', async () => {
    const html = renderReportHtml(await sampleReport(), { document: nodeDocument() });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const doc = new DOMParser().parseFromString(html, 'text/html') as unknown as Document;
    expect(doc.querySelector('title')?.textContent).toBe('Decay analysis');
    expect(doc.querySelector('h1')?.textContent).toBe('Decay analysis');
    const toc = Array.from(doc.querySelectorAll('nav.toc a'), (a) => a.getAttribute('href'));
    expect(toc).toEqual(['#sec-decay', '#sec-second', '#provenance']);
    expect(doc.querySelector('#sec-decay h2')?.textContent).toBe('1. PL decay');
    expect(doc.querySelectorAll('#sec-decay p').length).toBe(2);
    expect(doc.querySelector('figure svg')).not.toBeNull();
    expect(doc.querySelector('figcaption')?.textContent).toContain('Figure 1.');
    expect(
      Array.from(doc.querySelectorAll('table thead th'), (t) => t.textContent).slice(0, 3),
    ).toEqual(['Parameter', 'Value', 'Stderr']);
    // numbers: 10 significant digits, typographic minus, null as a dash
    const cells = Array.from(
      doc.querySelectorAll('#sec-decay table tbody td'),
      (t) => t.textContent,
    );
    expect(cells).toEqual(['tau', '1', '0.02', 'A', '−100', '—']);
    expect(doc.querySelector('pre')?.textContent).toBe('tau = 1.00 ± 0.02 ns');
    // inline CSS with print rules, no scripts, no external resources
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import|url\(http/i);
  });

  it('has a provenance footer: software, version, time, seed, parameters, input files with size and SHA-256', async () => {
    const report = await sampleReport();
    const html = renderReportHtml(report, { document: nodeDocument() });
    const doc = new DOMParser().parseFromString(html, 'text/html') as unknown as Document;
    const footer = doc.querySelector('footer.provenance')!;
    const text = footer.textContent ?? '';
    expect(text).toContain(`nanolum ${VERSION}`);
    expect(text).toContain('2025-01-02T03:04:05.000Z');
    expect(text).toContain('tcspc-fit');
    expect(text).toContain('mono-exponential');
    expect(text).toContain('decay.csv');
    expect(report.provenance.inputs[0].bytes).toBe(23);
    expect(text).toContain('23 B');
    const sha = report.provenance.inputs[0].sha256;
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(text).toContain(sha);
    const seedRow = Array.from(footer.querySelectorAll('tr')).find((r) =>
      r.textContent?.includes('Random seed'),
    );
    expect(seedRow?.textContent).toContain('7');
  });

  it('escapes every text: no markup injection from titles, file names, captions or metadata', async () => {
    const html = renderReportHtml(await sampleReport(true), { document: nodeDocument() });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    // the section id becomes a safe anchor
    const doc = new DOMParser().parseFromString(html, 'text/html') as unknown as Document;
    const ids = Array.from(doc.querySelectorAll('section'), (s) => s.id);
    expect(ids[0]).toMatch(/^sec-[A-Za-z0-9_-]+$/);
  });

  it('says which section and figure are wrong', async () => {
    const report = await sampleReport();
    report.sections[1].blocks.push({
      kind: 'figure',
      figure: {
        x: { label: 'x' },
        y: { label: 'y' },
        series: [{ type: 'line', x: [1, 2], y: [1] }],
      },
    });
    expect(() => renderReportHtml(report, { document: nodeDocument() })).toThrow(
      /Second section.*figure 2/,
    );
    expect(() => renderReportHtml({ title: 't' } as unknown as Report)).toThrow(InvalidInputError);
  });

  it('escapeHtml escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});

describe('reportToJson', () => {
  it('is plain JSON data with the figures as specs and the results attached by section id', async () => {
    const report = await sampleReport();
    const json = reportToJson(report, {
      decay: { tauNs: 1.0, best: new Float64Array([1, NaN, 3]) },
    });
    const back = JSON.parse(JSON.stringify(json));
    expect(back).toEqual(json);
    expect(back.sections[0].blocks[1].figure.series[0].y).toEqual([100, 37, 14]);
    expect(back.sections[0].results).toEqual({ tauNs: 1, best: [1, null, 3] });
    expect(back.sections[1].results).toBeUndefined();
    expect(back.provenance.seed).toBe(7);
  });

  it('toPlainData converts typed arrays, dates, maps and non-finite numbers, and cuts cycles', () => {
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    expect(
      toPlainData({
        f: new Float32Array([0.5]),
        d: new Date(0),
        m: new Map([['k', Infinity]]),
        u: undefined,
        fn: () => 1,
        cyc,
      }),
    ).toEqual({
      f: [0.5],
      d: '1970-01-01T00:00:00.000Z',
      m: { k: null },
      cyc: { a: 1, self: null },
    });
  });
});

describe('tableToCsv', () => {
  it('quotes per RFC 4180 with CRLF line ends and full-precision numbers', () => {
    const csv = tableToCsv(
      ['name', 'value, unit', 'note'],
      [
        ['plain', 0.1 + 0.2, null],
        ['has "quotes"', -1e-12, 'line1\nline2'],
        [' padded ', NaN, ''],
      ],
    );
    expect(csv).toBe(
      'name,"value, unit",note\r\n' +
        'plain,0.30000000000000004,\r\n' +
        '"has ""quotes""",-1e-12,"line1\nline2"\r\n' +
        '" padded ",,\r\n',
    );
  });

  it('rejects rows of the wrong length, naming the row', () => {
    expect(() => tableToCsv(['a', 'b'], [[1, 2], [3]])).toThrow(
      /row 2 has 1 cells but there are 2 columns/,
    );
    expect(() => tableToCsv([], [])).toThrow(InvalidInputError);
  });
});
