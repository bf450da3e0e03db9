/**
 * Runs the four experiments of `lattn reproduce` on a preset and collects their results into the record that
 * `results.json` holds and the report renders.
 */
import { cpus } from 'node:os';
import type { ProgressCallback } from '@lattn/core';
import { type AssociativeMemoryResults, runAssociativeMemory } from './associative-memory.js';
import { type AutomataResults, runAutomata } from './automata.js';
import type { Verdict } from './html.js';
import { PRESETS, type ReproducePreset } from './presets.js';
import { type RandomMhlaResults, runRandomMhla } from './random-mhla.js';
import { runTuring, type TuringResults } from './turing.js';

/** The `format` tag of `results.json`. */
export const RESULTS_FORMAT = 'lattn.reproduce';

/** One experiment's verdict, as listed in the summary. */
export interface SectionSummary {
  /** The section's anchor in the report: `random-mhla`, `associative-memory`, `automata` or `turing`. */
  readonly id: string;
  /** The section title. */
  readonly title: string;
  /** Whether the measured result matches the paper's qualitative claim. */
  readonly matchesPaper: boolean;
  /** The measured result in one sentence. */
  readonly statement: string;
}

/** Everything `lattn reproduce` measured: the content of `results.json`. */
export interface ReproduceResults {
  /** Always `'lattn.reproduce'`. */
  readonly format: typeof RESULTS_FORMAT;
  /** The format version, `1`. */
  readonly version: 1;
  /** The preset run. */
  readonly preset: ReproducePreset;
  /** Where it ran. */
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel: string;
  };
  /** Seconds for all experiments (a measurement). */
  readonly seconds: number;
  /** One entry per experiment. */
  readonly summary: readonly SectionSummary[];
  /** The experiments' full results. */
  readonly experiments: {
    readonly randomMhla: RandomMhlaResults;
    readonly associativeMemory: AssociativeMemoryResults;
    readonly automata: AutomataResults;
    readonly turing: TuringResults;
  };
}

/** Callbacks of {@link runReproduce}. */
export interface ReproduceCallbacks {
  /** Receives one progress stage per experiment. */
  readonly onProgress: ProgressCallback;
  /** Receives one line per finished setting of the automaton and Turing experiments. */
  readonly log: (line: string) => void;
}

/**
 * Runs every experiment of a preset.
 *
 * @param preset - Which embedded settings to use.
 * @param callbacks - Progress and log lines.
 * @returns The results; timings (`seconds` fields) are the only non-deterministic values.
 * @example
 * ```ts
 * const results = runReproduce('quick', { onProgress: reporter.onProgress, log: (line) => io.stderr.write(`${line}\n`) });
 * ```
 */
export function runReproduce(preset: ReproducePreset, callbacks: ReproduceCallbacks): ReproduceResults {
  const config = PRESETS[preset];
  const started = performance.now();
  const randomMhla = runRandomMhla(config.randomMhla, callbacks.onProgress);
  const associativeMemory = runAssociativeMemory(config.associativeMemory, callbacks.onProgress);
  const automata = runAutomata(config.automata, callbacks.onProgress, callbacks.log);
  const turing = runTuring(config.turing, callbacks.onProgress, callbacks.log);
  const processors = cpus();
  const section = (id: string, title: string, verdict: Verdict): SectionSummary => ({ id, title, ...verdict });
  return {
    format: RESULTS_FORMAT,
    version: 1,
    preset,
    environment: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: processors.length,
      cpuModel: processors[0]?.model.trim() ?? 'unknown',
    },
    seconds: (performance.now() - started) / 1000,
    summary: [
      section('random-mhla', '(a) Random MHLA teachers', randomMhla.verdict),
      section('associative-memory', '(b) Associative memory', associativeMemory.verdict),
      section('automata', '(c) Finite automata', automata.verdict),
      section('turing', '(d) Turing-machine histories', turing.verdict),
    ],
    experiments: { randomMhla, associativeMemory, automata, turing },
  };
}
