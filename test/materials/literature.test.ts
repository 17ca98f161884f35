import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BORNSCHLEGL_004,
  GRIFFITHS_000,
  TABLE1_002,
  TABLE1_CSPBBR3,
  TABLE2_002,
} from '../../src/materials/literature.js';

const PAPERS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/papers');
const havePapers = existsSync(resolve(PAPERS, TABLE1_CSPBBR3.citation.paperFile));

/** A cell as printed in the dump: `467–472` (en dash) or `498`. */
function cell(range: [number, number]): string {
  return range[0] === range[1] ? String(range[0]) : `${range[0]}–${range[1]}`;
}

/** The text of 002 Table 1: from its caption to the next paragraph. */
function table1Lines(text: string): string[] {
  const start = text.indexOf('Table 1 Comparison between the size');
  const lines = text.slice(start).split('\n').slice(1);
  const out: string[] = [];
  for (const l of lines) {
    if (out.length > 2 && l.trim() === '') break;
    if (l.trim() !== '') out.push(l);
  }
  return out;
}

describe('literature data sets', () => {
  it('Table 1 has the rows of the brief (e.g. CsPbBr3 4 nm -> 476-481 nm, 20 nm -> 520 nm)', () => {
    expect(TABLE1_CSPBBR3.rows.find((r) => r.edgeNm[0] === 4)?.peakNm).toEqual([476, 481]);
    expect(TABLE1_CSPBBR3.rows.find((r) => r.edgeNm[0] === 6)?.peakNm).toEqual([498, 498]);
    expect(TABLE1_CSPBBR3.rows.find((r) => r.edgeNm[0] === 7.5)?.peakNm).toEqual([505, 510]);
    expect(TABLE1_CSPBBR3.rows.at(-1)).toMatchObject({ edgeNm: [20, 20], peakNm: [520, 520] });
    expect(TABLE1_002.map((d) => d.rows.length)).toEqual([8, 5, 6]);
    for (const d of TABLE1_002) {
      for (const r of d.rows) {
        expect(r.edgeNm[0]).toBeLessThanOrEqual(r.edgeNm[1]);
        expect(r.peakNm[0]).toBeLessThanOrEqual(r.peakNm[1]);
        expect(r.refs.length).toBeGreaterThan(0);
      }
      expect(d.unreadable.length).toBeGreaterThan(0);
    }
  });

  it('Table 2 has 17 LEDs with EL peak, EQE, size and year', () => {
    expect(TABLE2_002.rows).toHaveLength(17);
    const best = TABLE2_002.rows.reduce((a, b) => (b.eqePercent > a.eqePercent ? b : a));
    expect(best).toMatchObject({
      material: 'CsPbI3',
      elPeakNm: 644,
      eqePercent: 28.5,
      sizeNm: 5.4,
      year: 2024,
    });
    expect(TABLE2_002.rows.filter((r) => r.onSubstrate)).toHaveLength(3);
    expect(TABLE2_002.rows.find((r) => r.sizeText === 'Bulk')?.sizeNm).toBeNull();
    expect(TABLE2_002.rows.find((r) => r.kind === 'NPL' && r.emitter === 'blue')?.sizeNm).toBe(2);
  });

  it('004 numbers: 3 / 6 / 15 meV at 14 / 8 / 5 nm; 10 K lifetimes', () => {
    expect(BORNSCHLEGL_004.splittings.map((s) => [s.edgeNm, s.brightDarkSplittingMeV])).toEqual([
      [14, 3],
      [8, 6],
      [5, 15],
    ]);
    expect(BORNSCHLEGL_004.lifetimes10K[0]).toMatchObject({
      edgeNm: 5,
      tauBrightPs: 480,
      tauDarkNs: 52,
      brightPhotonFraction: 0.42,
    });
    expect(BORNSCHLEGL_004.lifetimes10K[1]).toMatchObject({
      edgeNm: 8,
      tauBrightPs: 400,
      tauDarkNs: 36,
      brightPhotonFraction: 0.76,
    });
    expect(GRIFFITHS_000).toMatchObject({
      sigmaCm2: 2.9e-14,
      sigmaCm2Stderr: 0.2e-14,
      wavelengthNm: 400,
    });
  });

  describe.skipIf(!havePapers)(`transcription against the paper text in ${PAPERS}`, () => {
    const text002 = havePapers
      ? readFileSync(resolve(PAPERS, TABLE1_CSPBBR3.citation.paperFile), 'utf8')
      : '';
    const text004 = havePapers
      ? readFileSync(resolve(PAPERS, BORNSCHLEGL_004.citation.paperFile), 'utf8')
      : '';
    const text000 = havePapers
      ? readFileSync(resolve(PAPERS, GRIFFITHS_000.citation.paperFile), 'utf8')
      : '';

    it('every Table 1 cell is in the row of its size, in column order', () => {
      const lines = table1Lines(text002);
      const sizes = ['3.5–3.7', '4', '5–5.6', '6–6.2', '7.5', '8.6–13', '16.4', '20'];
      expect(lines[0]).toMatch(/^Size \(nm\)\tCsPbBr ₃ \(nm\)\tCsPbI ₃\tFAPbBr ₃/);
      const rows = lines.slice(1);
      expect(rows.map((l) => l.split('\t')[0])).toEqual(sizes);
      TABLE1_002.forEach((dataset, column) => {
        for (const r of dataset.rows) {
          const line =
            rows[
              sizes.indexOf(
                r.edgeNm[0] === r.edgeNm[1] ? String(r.edgeNm[0]) : `${r.edgeNm[0]}–${r.edgeNm[1]}`,
              )
            ];
          expect(line, `${dataset.material} ${r.edgeNm}`).toBeDefined();
          const cells = line!.split('\t');
          expect(
            cells[column + 1]!.startsWith(cell(r.peakNm)),
            `${dataset.material} ${r.edgeNm}: "${cells[column + 1]}"`,
          ).toBe(true);
        }
      });
      // empty cells are empty in the dump
      expect(rows[0]!.split('\t')[2]).toBe('');
      expect(rows[6]!.split('\t').slice(2).join('').trim()).toBe('');
    });

    it('every Table 2 row is in the dump', () => {
      for (const r of TABLE2_002.rows) {
        const re = new RegExp(
          `\\t${r.elPeakNm}\\t${r.eqePercent}\\t${r.sizeText.replace(/[()]/g, '\\$&')}\\t${r.year}`,
        );
        expect(re.test(text002), `${r.material} ${r.elPeakNm} nm ${r.year}`).toBe(true);
      }
    });

    it('004 splittings and lifetimes are in the text', () => {
      expect(text004).toContain('\\Delta E_{BD}^{14\\text{ nm}} = 3$ meV');
      expect(text004).toContain('\\Delta E_{BD}^{8\\text{ nm}} = 6$ meV');
      expect(text004).toContain('\\Delta E_{BD}^{5\\text{ nm}} = 15$ meV');
      expect(text004).toContain('$\\tau_B = 480$ ps and the other $\\tau_D = 52$ ns');
      expect(text004).toContain(
        '$\\tau_B = 400$ ps, $\\tau_D = 36$ ns, $I_B = 0.76 I_{\\text{tot}}$',
      );
      expect(text004).toContain('equivalent to the thermal energy at 174 K');
    });

    it('000 cross-section is in the text', () => {
      expect(text000).toContain('\\sigma_{abs} = (2.9 \\pm 0.2) \\times 10^{-14}');
      expect(text000).toContain('excitation wavelength of 400 nm');
      expect(text000).toContain('1.79 eV (694 nm)');
    });
  });
});
