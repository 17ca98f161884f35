import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCliCaptured as run } from '../helpers/cli.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = resolve(ROOT, 'src/cli/main.ts');
const haveCli = existsSync(MAIN) && existsSync(resolve(ROOT, 'src/cli/program.ts'));

/** Every number in a JSON document is finite (the CLI writes null, never NaN). */
function allFinite(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(allFinite);
  if (v && typeof v === 'object') return Object.values(v).every(allFinite);
  return true;
}

const MATERIAL_KEYS = [
  'material',
  'description',
  'parameters',
  'bohrDiameterNm',
  'bohrDiameterOrigin',
  'excitonBindingMeV',
  'hydrogenicBindingMeV',
  'edgeNm',
  'regime',
  'sizeToBohrRatio',
  'peakNm',
  'peakNmStderr',
  'peakNm95Low',
  'peakNm95High',
  'peakEv',
  'peakEvStderr',
  'peakExtrapolated',
  'confinementEnergyMeV',
  'parabolicPeakNm',
  'brightDarkSplittingMeV',
  'brightDarkSplittingMeVStderr',
  'temperatureK',
  'thermalEnergyMeV',
  'brightFraction',
  'notes',
  'provenance',
];

describe.skipIf(!haveCli)('CLI: nanolum material / nanolum size', () => {
  it('spawned: material CsPbBr3 --edge-nm 5 --temperature-k 10 --json', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'material',
        'CsPbBr3',
        '--edge-nm',
        '5',
        '--temperature-k',
        '10',
        '--json',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual([...MATERIAL_KEYS].sort());
    expect(j.regime).toBe('strong');
    expect(j.bohrDiameterNm).toBe(7);
    expect(j.peakNm).toBeGreaterThan(485);
    expect(j.peakNm).toBeLessThan(495);
    expect(j.peakNmStderr).toBeGreaterThan(0);
    expect(j.peakEv).toBeCloseTo(1239.84198 / j.peakNm, 10);
    expect(j.brightDarkSplittingMeV).toBeGreaterThan(14);
    expect(j.brightDarkSplittingMeV).toBeLessThan(16);
    expect(j.brightFraction).toBeGreaterThan(0);
    expect(j.brightFraction).toBeLessThan(1e-6);
    expect(j.confinementEnergyMeV).toBeGreaterThan(0);
    expect(allFinite(j)).toBe(true);
  });

  it('text output names the regime, peak and splitting', async () => {
    const r = await run(['material', 'CsPbBr3', '--edge-nm', '5', '--temperature-k', '10']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/confinement regime\s+strong/);
    expect(r.out).toMatch(/PL peak \(sizing curve\)\s+49\d\.\d ± \d\.\d nm/);
    expect(r.out).toMatch(/bright-dark splitting\s+15\.\d\d ± /);
  });

  it('lists the materials without a name', async () => {
    const r = await run(['material', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).materials.map((m: { name: string }) => m.name)).toContain('FAPbI3');
  });

  it('a material without sizing data gives nulls with notes, not NaN', async () => {
    const r = await run([
      'material',
      'MAPbI3',
      '--edge-nm',
      '6',
      '--temperature-k',
      '300',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.peakNm).toBeNull();
    expect(j.brightFraction).toBeNull();
    expect(j.confinementEnergyMeV).toBeGreaterThan(0);
    expect(j.notes.join(' ')).toMatch(/no size vs PL-peak data/);
    expect(allFinite(j)).toBe(true);
  });

  it('size CsPbBr3 --peak-nm 498 --json', async () => {
    const r = await run(['size', 'CsPbBr3', '--peak-nm', '498', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of [
      'edgeNm',
      'edgeNmStderr',
      'edgeNm95Low',
      'edgeNm95High',
      'regime',
      'peakEv',
      'curveLimitPeakNm',
      'bulkGapNm',
    ]) {
      expect(j, k).toHaveProperty(k);
    }
    expect(j.edgeNm).toBeGreaterThan(5.5);
    expect(j.edgeNm).toBeLessThan(6.5);
    expect(j.edgeNmStderr).toBeGreaterThan(0);
    expect(j.edgeNm95Low).toBeLessThan(j.edgeNm);
    expect(j.edgeNm95High).toBeGreaterThan(j.edgeNm);
    // round trip through the material command
    const back = JSON.parse(
      (await run(['material', 'CsPbBr3', '--edge-nm', String(j.edgeNm), '--json'])).out,
    );
    expect(back.peakNm).toBeCloseTo(498, 6);
  });

  it('bad inputs: one clear line, exit code 1', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['material', 'CsPbBr3', '--edge-nm', '-5'], /edge length \(--edge-nm\) must be positive/],
      [['material', 'CsPbBr3', '--edge-nm', 'abc'], /--edge-nm must be a number/],
      [['material', 'CdSe'], /unknown material "CdSe"; known: CsPbCl3, CsPbBr3/],
      [['material', 'CsPbBr3', '--edge-nm', '2'], /below the smallest size \(3.5 nm\)/],
      [
        ['material', 'CsPbBr3', '--edge-nm', '5', '--temperature-k', '-1'],
        /temperature \(--temperature-k\) must not be negative/,
      ],
      [['size', 'CsPbBr3', '--peak-nm', '450'], /bluer than the CsPbBr3 sizing curve/],
      [['size', 'CsPbBr3', '--peak-nm', '528'], /beyond the large-size limit/],
      [['size', 'CsPbI3', '--peak-nm', '720'], /below the bulk band gap of CsPbI3/],
      [['size', 'CsPbBr3', '--peak-nm', '-1'], /must be positive/],
      [['size', 'MAPbI3', '--peak-nm', '700'], /MAPbI3 has no size vs PL-peak data/],
    ];
    for (const [argv, re] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.err, argv.join(' ')).toMatch(re);
      expect(r.err).not.toMatch(/NaN/);
    }
  });

  it('missing --peak-nm is a usage error (exit code 2)', async () => {
    expect((await run(['size', 'CsPbBr3'])).code).toBe(2);
  });
});
