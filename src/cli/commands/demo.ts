/**
 * `nanolum demo [--out DIR] [--seed N]`: run the demonstration analyses on simulated data and
 * write `report.html` and `results.json`.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import { parseNames } from '../input.js';
import { writeOutputs } from '../../node/files.js';

interface DemoCommandOptions {
  seed?: number;
  only: string[];
}

function parseSeed(value: string): number {
  const v = Number(value);
  if (!/^\s*[-+]?\d+\s*$/.test(value) || !Number.isSafeInteger(v)) {
    throw new InvalidArgumentError('the seed must be an integer');
  }
  return v;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Register `nanolum demo`.
 *
 * @example
 * register(program, ctx); // then: nanolum demo --out demo-output --seed 7
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'run the demonstration analyses on simulated data; writes report.html and results.json',
    )
    .option(
      '--seed <n>',
      "master random seed (the same seed gives the same report; default: the demo's own)",
      parseSeed,
    )
    .option(
      '--only <ids>',
      'run only these sections (comma-separated ids; repeatable)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      '\nThe output directory is --out (default: demo-output).\n\nExample:\n  nanolum demo --out demo-output --seed 7',
    )
    .action(async (opts: DemoCommandOptions, command: Command) => {
      const g = ctx.globals(command);
      const dir = g.out ?? 'demo-output';
      const only = parseNames(opts.only);
      // the demo and its renderers load only when the command runs (keeps the CLI quick to start)
      const [{ runDemo }, { nodeDocument }, { reportToJson }] = await Promise.all([
        import('../../demo/run.js'),
        import('../../node/svg.js'),
        import('../../report/json.js'),
      ]);
      const progress = ctx.progress(command, 'demo');
      let out;
      try {
        out = await runDemo({
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          document: nodeDocument(),
          onProgress: progress,
          ...(only.length > 0 ? { only } : {}),
        });
      } finally {
        progress.stop();
      }
      const seed = out.report.provenance.seed;
      const failed = Object.entries(out.results)
        .filter(([, r]) => typeof r === 'object' && r !== null && 'error' in r)
        .map(([id]) => id);
      for (const id of failed) ctx.warn(command, `demo section "${id}" failed; see the report`);
      const json = JSON.stringify(reportToJson(out.report, out.results), null, 2) + '\n';
      const files = await writeOutputs(dir, { 'report.html': out.html, 'results.json': json });
      if (g.json) {
        ctx.json({ files, seed, sections: Object.keys(out.results), failed });
      } else {
        ctx.out(`wrote ${files.join(' and ')} (seed ${seed})\n`);
      }
    });
}
