/**
 * `lattn reproduce`: the main job. Runs the paper's experiments on embedded settings and writes a self-contained
 * `report.html` (inline CSS and SVG plots) and `results.json` (every number) into a directory.
 */
import { join } from 'node:path';
import { LattnError } from '@lattn/core';
import { type Command, defineCommand } from '../command.js';
import { checkWritable, ensureDirectory, writeFilesAtomic } from '../files.js';
import { jsonFile } from '../json.js';
import { formatTable, writeResult } from '../output.js';
import { createProgressReporter } from '../progress.js';
import { REPRODUCE_PRESETS } from '../reproduce/presets.js';
import { renderReport } from '../reproduce/report.js';
import { runReproduce } from '../reproduce/run.js';

/** The `lattn reproduce` command. */
export const reproduceCommand: Command = defineCommand({
  name: 'reproduce',
  summary: "rerun the paper's experiments and write report.html (inline SVG plots) and results.json",
  description:
    'Runs the experiments of Yau et al., Learning Linear Attention in Polynomial Time, on embedded settings: ' +
    '(a) random MHLA teachers, the exact learner against Adam with 1 to d² heads; (b) associative memory, distance ' +
    'to the teacher against the certificate λ_min across key mixtures; (c) finite automata, exact match and samples ' +
    'needed against states, alphabet and word length; (d) Turing-machine histories, next-symbol accuracy on fresh ' +
    'machines. Writes DIR/report.html, one page with no external resources, and DIR/results.json. Seeds are fixed: ' +
    'only timings change between runs. On a busy 2-core machine the full run takes 2 to 6 minutes, --quick under a ' +
    'minute, ' +
    '--preset tiny (a smoke test whose numbers mean nothing) a few seconds. Progress goes to stderr.',
  options: {
    quick: { kind: 'boolean', description: 'the smaller settings (same as --preset quick)' },
    preset: {
      kind: 'enum',
      values: REPRODUCE_PRESETS,
      description: 'settings: full (default), quick, or tiny (a smoke test of the pipeline)',
    },
    out: { kind: 'path', default: 'lattn-report', placeholder: 'DIR', description: 'directory for the report' },
    json: { kind: 'boolean', description: 'print the summary as one JSON document' },
  },
  examples: [
    'lattn reproduce --quick',
    'lattn reproduce --out report',
    'lattn reproduce --preset tiny --out /tmp/smoke',
  ],
  run: async ({ options }, io) => {
    if (options.quick && options.preset !== undefined && options.preset !== 'quick') {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `--quick contradicts --preset ${options.preset}; give one of them. Example: lattn reproduce --quick`,
      );
    }
    const preset = options.preset ?? (options.quick ? 'quick' : 'full');
    await ensureDirectory(options.out);
    const report = join(options.out, 'report.html');
    const resultsFile = join(options.out, 'results.json');
    // Fail now, not after minutes of experiments, when either file cannot be written.
    await checkWritable(report);
    await checkWritable(resultsFile);
    const progress = createProgressReporter(io);
    let results: ReturnType<typeof runReproduce>;
    try {
      results = runReproduce(preset, {
        onProgress: progress.onProgress,
        log: (line) => {
          progress.finish();
          io.stderr.write(`${line}\n`);
        },
      });
    } finally {
      progress.finish();
    }
    const html = renderReport(results);
    // The report and its numbers belong together: both are written, or neither is.
    await writeFilesAtomic([
      jsonFile(resultsFile, results),
      { path: report, write: (handle) => handle.writeFile(html, 'utf8') },
    ]);
    const summary = { preset, report, results: resultsFile, seconds: results.seconds, summary: results.summary };
    writeResult(io, summary, {
      json: options.json,
      text: () => {
        const rows = results.summary.map((section) => [
          section.title,
          section.matchesPaper ? 'matches the paper' : 'does NOT match the paper',
        ]);
        const statements = results.summary.map((section) => `${section.title}: ${section.statement}`).join('\n\n');
        return `lattn reproduce: preset '${preset}' in ${results.seconds.toFixed(1)} s\n\n${formatTable([
          ['report', report],
          ['results', resultsFile],
        ])}\n${formatTable(rows)}\n${statements}\n`;
      },
    });
    return 0;
  },
});
