/** One progress bar per stage of a run. */
import { PHASE_LABELS, type Phase } from '../protocol.js';
import { h } from './dom.js';

interface Row {
  readonly row: HTMLElement;
  readonly bar: HTMLProgressElement;
  readonly text: HTMLElement;
}

export interface ProgressView {
  /** Shows pending bars for these stages. */
  reset(phases: readonly Phase[]): void;
  /** Updates a stage; every earlier stage is finished. */
  update(phase: Phase, stage: string, done: number, total: number): void;
  /** Marks every stage finished. */
  finishAll(): void;
  /** Marks a stage failed. */
  fail(phase: Phase): void;
}

export function progressView(container: HTMLElement): ProgressView {
  let rows = new Map<Phase, Row>();
  let order: Phase[] = [];
  const finish = (entry: Row): void => {
    entry.bar.value = entry.bar.max;
    entry.text.textContent = 'done';
    entry.row.className = 'phase done';
  };
  return {
    reset(phases) {
      order = [...phases];
      rows = new Map(
        phases.map((phase) => {
          const bar = h('progress', { max: 1, value: 0, 'aria-label': PHASE_LABELS[phase] });
          const text = h('span', { class: 'phase-text' }, 'waiting');
          const row = h(
            'li',
            { class: 'phase pending' },
            h('span', { class: 'phase-label' }, PHASE_LABELS[phase]),
            bar,
            text,
          );
          return [phase, { row, bar, text }];
        }),
      );
      container.replaceChildren(...[...rows.values()].map((entry) => entry.row));
    },
    update(phase, stage, done, total) {
      const entry = rows.get(phase);
      if (entry === undefined) return;
      for (const earlier of order.slice(0, order.indexOf(phase))) {
        const previous = rows.get(earlier);
        if (previous !== undefined && !previous.row.classList.contains('done')) finish(previous);
      }
      if (stage === 'done') {
        finish(entry);
        return;
      }
      entry.row.className = 'phase running';
      entry.bar.max = Math.max(total, 1);
      entry.bar.value = done;
      entry.text.textContent = stage === 'start' ? 'running…' : `${stage} ${done}/${total}`;
    },
    finishAll() {
      for (const entry of rows.values()) finish(entry);
    },
    fail(phase) {
      const entry = rows.get(phase);
      if (entry === undefined) return;
      entry.row.className = 'phase failed';
      entry.text.textContent = 'failed';
    },
  };
}
