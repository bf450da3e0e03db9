/**
 * The `report.html` of `lattn reproduce`: one self-contained page (inline CSS and SVG; no scripts, fonts, images or
 * links to load) with an introduction, a summary of the four results and one section per experiment.
 */
import { renderAssociativeMemory } from './associative-memory.js';
import { renderAutomata } from './automata.js';
import { renderRandomMhla } from './random-mhla.js';
import type { ReproduceResults } from './run.js';
import { escapeXml } from './svg.js';
import { renderTuring } from './turing.js';

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1d2330; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 28px 32px 48px; background: #fff; box-shadow: 0 0 0 1px #e3e6eb; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 8px; padding-top: 16px; border-top: 1px solid #e3e6eb; }
.subtitle { color: #5a6272; margin: 0 0 18px; }
p { max-width: 980px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0; }
figure { display: table; margin: 0; }
figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #e3e6eb; border-radius: 6px; }
figcaption { display: table-caption; caption-side: bottom; color: #5a6272; font-size: 13px; padding: 6px 4px 0; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13.5px; }
th, td { border: 1px solid #dfe3e8; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.verdict { padding: 10px 14px; border-radius: 6px; border-left: 5px solid; }
.verdict.match { background: #eef8f1; border-color: #2e8b57; }
.verdict.mismatch { background: #fff5e8; border-color: #d9822b; }
.summary td:first-child { white-space: nowrap; }
.yes { color: #2e7d32; font-weight: 600; }
.no { color: #b35900; font-weight: 600; }
footer { margin-top: 40px; color: #5a6272; font-size: 13px; }
`;

/**
 * Renders the report page.
 *
 * @param results - What {@link runReproduce} returned.
 * @returns The complete HTML document.
 * @example
 * ```ts
 * await writeFile('report.html', renderReport(results));
 * ```
 */
export function renderReport(results: ReproduceResults): string {
  const { experiments, environment } = results;
  const matches = results.summary.filter((section) => section.matchesPaper).length;
  const summaryRows = results.summary
    .map(
      (section) =>
        `<tr><td><a href="#${section.id}">${escapeXml(section.title)}</a></td><td class="${section.matchesPaper ? 'yes' : 'no'}">${section.matchesPaper ? 'yes' : 'no'}</td><td>${escapeXml(section.statement)}</td></tr>`,
    )
    .join('');
  const command = { full: 'lattn reproduce', quick: 'lattn reproduce --quick', tiny: 'lattn reproduce --preset tiny' }[
    results.preset
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lattn reproduce — Learning Linear Attention in Polynomial Time</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Learning linear attention in polynomial time, reproduced</h1>
<p class="subtitle">lattn reproduce, preset <strong>${escapeXml(results.preset)}</strong> · ${escapeXml(environment.platform)}, ${environment.cpus} × ${escapeXml(environment.cpuModel)}, Node.js ${escapeXml(environment.node)} · ${formatDuration(results.seconds)}</p>
<p>Yau, Akyürek, Mao, Tenenbaum, Jegelka and Andreas (<em>Learning Linear Attention in Polynomial Time</em>, NeurIPS 2025) show
that a multi-head linear attention layer is linear in a cubic feature map of its input, so the best layer with any number of
heads is a least-squares problem: it is learned exactly, in polynomial time, without gradient descent. When the feature second
moment of the training set is positive definite, every model that fits the data as well as possible computes the same function
— an identifiability certificate. This page reruns their experiments with the lattn packages: (a) the exact learner against
Adam on random teachers, (b) the certificate against generalisation on associative memory, (c) finite automata and (d)
Turing-machine histories. Every number comes from this run and is stored in <code>results.json</code> next to this page; all
seeds are fixed, so only the timings change between runs. Regenerate with <code>${escapeXml(command)}</code>.</p>
<h2 id="summary">Summary: ${matches} of ${results.summary.length} results match the paper</h2>
<table class="summary"><thead><tr><th>experiment</th><th>matches the paper</th><th>measured result</th></tr></thead><tbody>${summaryRows}</tbody></table>
${renderRandomMhla(experiments.randomMhla)}
${renderAssociativeMemory(experiments.associativeMemory)}
${renderAutomata(experiments.automata)}
${renderTuring(experiments.turing)}
<footer>Generated by <code>lattn reproduce</code> (@lattn/cli). The plots are inline SVG; the page loads nothing else.</footer>
</main>
</body>
</html>
`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - 60 * minutes)} s`;
}
