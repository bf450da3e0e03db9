/**
 * The page: the settings form (kept in the URL), the worker that computes everything, and the result cards it
 * fills in as events arrive.
 */

import type { MhlaModel } from '@lattn/feature-map';
import { formatScientific, formatSeconds } from './format.js';
import {
  type DemoParams,
  errorSummary,
  FIELDS,
  isTaskKind,
  linkNotice,
  parseQuery,
  type RawParams,
  switchTask,
  toQuery,
  validate,
} from './params.js';
import {
  type AutomatonStepView,
  type FitSummary,
  type MinimalHeads,
  type PaperHeads,
  PHASE_LABELS,
  PHASES,
  type Phase,
  type TaskSummary,
  type WorkerEvent,
  type WorkerRequest,
} from './protocol.js';
import { automatonPanel } from './ui/automaton.js';
import { byId, h } from './ui/dom.js';
import { fieldRow, readFields, renderFields, showErrors } from './ui/form.js';
import { type AccuracyRow, accuracyPanel, certificatePanel, fitPanel, headsPanel, taskPanel } from './ui/panels.js';
import { progressView } from './ui/progress.js';
import { type RaceData, raceChart, raceLegend } from './ui/race-chart.js';

const form = byId<HTMLFormElement>('controls');
const fields = byId('fields');
const status = byId('status');
const notice = byId('notice');
const share = byId<HTMLAnchorElement>('share');
const formErrors = byId('form-errors');
const progress = progressView(byId('progress'));
const cards = {
  message: byId('message-card'),
  certificate: byId('certificate-card'),
  accuracy: byId('accuracy-card'),
  race: byId('race-card'),
  fit: byId('fit-card'),
  task: byId('task-card'),
  automaton: byId('automaton-card'),
  heads: byId('heads-card'),
};

/** Everything shown about the current run. */
interface RunView {
  readonly params: DemoParams;
  summary: TaskSummary | null;
  fit: FitSummary | null;
  accuracy: AccuracyRow[];
  construction: MhlaModel | null;
  paper: PaperHeads | null;
  minimal: MinimalHeads | null;
  race: RaceData;
  /** The baseline's warnings (divergence), shown under the race chart. */
  baselineWarnings: readonly string[];
  steps: AutomatonStepView | null;
  step: number;
}

const initial = parseQuery(window.location.search);
let raw: RawParams = initial.raw;
let worker: Worker | null = null;
let busy = false;
let runId = 0;
let view: RunView | null = null;
let player: number | undefined;

function post(request: WorkerRequest): void {
  if (worker === null) {
    worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<WorkerEvent>) => receive(event.data);
    worker.onerror = (event) => {
      busy = false;
      setStatus(`The worker failed: ${event.message || 'it could not start'}.`, 'error');
      document.body.dataset.state = 'error';
    };
  }
  worker.postMessage(request);
}

function setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
  status.textContent = text;
  status.className = kind;
}

function syncUrl(): void {
  const query = toQuery(raw);
  window.history.replaceState(null, '', query);
  share.href = query;
}

/**
 * Validates the form, shows each error next to its field and a summary under the Run button, and returns the
 * parameters when all are valid.
 */
function check(): DemoParams | null {
  const result = validate(raw);
  const errors = result.ok ? {} : result.errors;
  showErrors(document, errors);
  formErrors.textContent = errorSummary(errors);
  return result.ok ? result.params : null;
}

/** A card waiting for its stage: a title and what it waits for (the text changes when the stage starts). */
function placeholder(card: HTMLElement, title: string, text: string): void {
  card.replaceChildren(h('h2', {}, title), h('p', { class: 'note pending-note' }, text));
  card.dataset.placeholder = 'true';
}

function filled(card: HTMLElement, ...nodes: Node[]): void {
  card.replaceChildren(...nodes);
  delete card.dataset.placeholder;
}

/** What a placeholder card says while its stage runs. */
const WORKING: Partial<Record<Phase, { readonly card: keyof typeof cards; readonly text: string }>> = {
  certificate: { card: 'certificate', text: 'computing λ_min and λ_max of Λ = (1/N) Σ ψψᵀ…' },
  fit: { card: 'fit', text: 'solving the least-squares problem…' },
  accuracy: { card: 'accuracy', text: 'scoring the exact fit on the fresh instances…' },
  heads: { card: 'heads', text: 'reading heads off the SVD, then searching for the fewest heads…' },
  automaton: { card: 'automaton', text: 'running the learned model on a test automaton…' },
};

function showWorking(phase: Phase): void {
  const working = WORKING[phase];
  if (working === undefined) return;
  const card = cards[working.card];
  const note = card.querySelector('.pending-note');
  if (card.dataset.placeholder === 'true' && note !== null) note.textContent = working.text;
}

/** After a failed run, every card still waiting says that it will not be filled. */
function abandonPlaceholders(phase: Phase): void {
  for (const card of Object.values(cards)) {
    const note = card.querySelector('.pending-note');
    if (card.dataset.placeholder === 'true' && note !== null) {
      note.textContent = `Not computed: the run stopped at “${PHASE_LABELS[phase]}”.`;
    }
  }
}

/** The message card, shown instead of results when nothing could run. */
function showMessage(title: string, text: string): void {
  cards.message.replaceChildren(h('h2', {}, title), h('p', {}, text));
}

function run(): void {
  const params = check();
  if (params === null) {
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    setStatus('Fix the highlighted settings to run.', 'error');
    return;
  }
  cards.message.replaceChildren();
  if (busy && worker !== null) {
    // A run in progress cannot be interrupted from outside: replace the worker.
    worker.terminate();
    worker = null;
  }
  stopPlayer();
  runId++;
  busy = true;
  view = {
    params,
    summary: null,
    fit: null,
    accuracy: [],
    construction: null,
    paper: null,
    minimal: null,
    race: { exact: null, curve: [], epochs: params.epochs, training: false },
    baselineWarnings: [],
    steps: null,
    step: 0,
  };
  progress.reset(PHASES.filter((phase) => phase !== 'automaton' || params.task === 'automaton'));
  placeholder(cards.certificate, 'Identifiability certificate', 'waiting for the feature moments…');
  placeholder(cards.accuracy, 'Accuracy on fresh instances', 'waiting for the fit…');
  placeholder(cards.fit, 'Exact fit', 'waiting for the certificate…');
  placeholder(cards.task, 'Task', 'generating…');
  placeholder(cards.heads, 'Recovered heads', 'waiting for the accuracy…');
  renderRace();
  cards.automaton.hidden = params.task !== 'automaton';
  if (params.task === 'automaton') {
    placeholder(cards.automaton, 'The learned model executing an automaton, step by step', 'waiting for the heads…');
  }
  setStatus('Running…');
  document.body.dataset.state = 'running';
  post({ type: 'run', runId, params });
}

function raceSummary(race: RaceData): string {
  const { exact, curve, epochs, training } = race;
  if (exact === null) return 'The exact solver runs first; then Adam trains from a random start, drawn live.';
  const solve = `Exact least squares: one solve, ${formatSeconds(exact.seconds)}.`;
  const last = curve[curve.length - 1];
  if (last === undefined) return `${solve} Adam is next, after the head recovery.`;
  if (training) {
    return `${solve} Adam: epoch ${last.epoch} of ${epochs} after ${formatSeconds(last.seconds)}, training MSE ${formatScientific(last.loss, 2)}…`;
  }
  const stopped = last.epoch < epochs ? ` (stopped early, of ${epochs})` : '';
  return `${solve} Adam: ${last.epoch} epochs${stopped}, ${formatSeconds(last.seconds)}, training MSE ${formatScientific(last.loss, 2)}.`;
}

function renderRace(): void {
  if (view === null) return;
  const { race } = view;
  const nodes: Node[] = [h('h2', {}, 'The race: exact solver vs Adam'), h('p', { class: 'note' }, raceSummary(race))];
  // No empty axes while nothing is measured yet.
  if (race.exact !== null || race.curve.length > 0) {
    nodes.push(raceChart(race), raceLegend(view.summary?.constructionHeads ?? null));
  }
  for (const warning of view.baselineWarnings) nodes.push(h('p', { class: 'warning' }, warning));
  cards.race.replaceChildren(...nodes);
}

function renderAccuracy(): void {
  if (view === null) return;
  filled(cards.accuracy, ...accuracyPanel(view.accuracy, view.params.task, view.summary?.testDescription ?? null));
}

function renderHeads(): void {
  if (view === null || view.construction === null || view.paper === null) return;
  filled(cards.heads, ...headsPanel(view.construction, view.paper, view.minimal, view.fit));
}

function stopPlayer(): void {
  if (player !== undefined) window.clearInterval(player);
  player = undefined;
}

function setStep(step: number): void {
  if (view?.steps == null) return;
  view.step = Math.max(0, Math.min(view.steps.steps.length, step));
  renderAutomaton();
}

function togglePlayer(): void {
  if (view?.steps == null) return;
  if (player !== undefined) {
    stopPlayer();
    renderAutomaton();
    return;
  }
  if (view.step >= view.steps.steps.length) view.step = 0;
  player = window.setInterval(() => {
    if (view?.steps == null || view.step >= view.steps.steps.length) {
      stopPlayer();
      renderAutomaton();
      return;
    }
    setStep(view.step + 1);
  }, 500);
  renderAutomaton();
}

function changeInstance(instance: string): void {
  stopPlayer();
  raw = { ...raw, values: { ...raw.values, instance } };
  syncUrl();
  const params = check();
  if (params !== null && view !== null && view.params.task === 'automaton') {
    post({ type: 'steps', runId, instance: params.instance });
  }
}

function renderAutomaton(): void {
  const steps = view?.steps;
  if (view === null || steps == null) return;
  const field = FIELDS.find((candidate) => candidate.key === 'instance');
  const n = steps.steps.length;
  const instanceRow = field === undefined ? null : fieldRow(field, raw.values.instance ?? '0');
  instanceRow?.querySelector('input')?.setAttribute('data-focus-key', 'instance');
  instanceRow?.querySelector('input')?.addEventListener('change', (event) => {
    changeInstance((event.target as HTMLInputElement).value.trim());
  });
  // The card is rebuilt on every step: remember which control had the keyboard focus, to give it back.
  const focused = (document.activeElement as HTMLElement | null)?.dataset.focusKey;
  const button = (label: string, action: () => void, disabled = false, key = label): HTMLButtonElement => {
    const element = h('button', { type: 'button', disabled, 'data-focus-key': key }, label);
    element.addEventListener('click', action);
    return element;
  };
  const slider = h('input', {
    type: 'range',
    id: 'step-slider',
    'data-focus-key': 'slider',
    min: 0,
    max: n,
    value: view.step,
    'aria-label': 'Step',
  });
  slider.addEventListener('input', () => {
    stopPlayer();
    setStep(Number(slider.value));
  });
  const jumps =
    steps.wrongInstances.length === 0
      ? h('p', { class: 'note' }, `No wrong step on any of the ${steps.numInstances} test automata.`)
      : h(
          'p',
          { class: 'warning' },
          `Test automata with a wrong step (${steps.wrongInstances.length} of ${steps.numInstances}): `,
          ...steps.wrongInstances.slice(0, 20).map((instance) => {
            const link = button(
              String(instance),
              () => changeInstance(String(instance)),
              false,
              `instance-${instance}`,
            );
            link.className = 'link';
            return link;
          }),
        );
  filled(
    cards.automaton,
    h('h2', {}, 'The learned model executing an automaton, step by step'),
    h(
      'div',
      { class: 'automaton-controls' },
      instanceRow,
      h(
        'div',
        { class: 'stepper', role: 'group', 'aria-label': 'Step controls' },
        button('⇤ start', () => setStep(0), view.step === 0),
        button('◀ back', () => setStep(view ? view.step - 1 : 0), view.step === 0),
        button('step ▶', () => setStep(view ? view.step + 1 : 0), view.step >= n),
        button(player === undefined ? '▶ play' : '❚❚ pause', togglePlayer, false, 'play'),
        button('end ⇥', () => setStep(n), view.step >= n),
        h('label', { for: 'step-slider' }, `step ${view.step} of ${n}`),
        slider,
      ),
    ),
    jumps,
    ...automatonPanel(steps, view.step),
  );
  cards.automaton.dataset.instance = String(steps.instance);
  // Long words scroll inside their table: keep the current step in the middle of it.
  const scroller = cards.automaton.querySelector<HTMLElement>('.steps-scroll');
  const active = scroller?.querySelector<HTMLElement>('tr.active');
  if (scroller != null && active != null) {
    const offset = active.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    scroller.scrollTop = Math.max(0, offset - (scroller.clientHeight - active.offsetHeight) / 2);
  }
  if (focused !== undefined) {
    cards.automaton.querySelector<HTMLElement>(`[data-focus-key="${focused}"]:not(:disabled)`)?.focus();
  }
}

function receive(event: WorkerEvent): void {
  if (event.runId !== runId || view === null) return;
  switch (event.type) {
    case 'progress':
      progress.update(event.phase, event.stage, event.done, event.total);
      if (event.stage === 'start') showWorking(event.phase);
      setStatus(
        event.stage === 'start' || event.stage === 'done'
          ? `Running: ${PHASE_LABELS[event.phase]}…`
          : `Running: ${PHASE_LABELS[event.phase]} (${event.stage} ${event.done}/${event.total})…`,
      );
      return;
    case 'task':
      view.summary = event.summary;
      filled(cards.task, ...taskPanel(event.summary));
      return;
    case 'certificate':
      filled(cards.certificate, ...certificatePanel(event.certificate, event.reference));
      return;
    case 'fit':
      view.fit = event.fit;
      view.race = { ...view.race, exact: { seconds: event.fit.seconds, loss: event.fit.trainLoss } };
      filled(cards.fit, ...fitPanel(event.fit));
      renderRace();
      return;
    case 'accuracy':
      view.accuracy = [{ ...event.accuracy, label: 'exact fit' }];
      renderAccuracy();
      return;
    case 'heads':
      view.construction = event.construction;
      view.paper = event.paper;
      renderHeads();
      return;
    case 'minimal-heads':
      view.minimal = event.minimal;
      // Without a search (lower bound above the limit) the model is the paper's, equivalent to the exact fit.
      if (event.minimal.attempts.length > 0 || event.minimal.found) {
        const label = event.minimal.found
          ? `minimal heads, H\u00a0=\u00a0${event.minimal.numHeads}`
          : `best ${event.minimal.numHeads}-head approximation`;
        view.accuracy = [...view.accuracy, { ...event.accuracy, label }];
      }
      renderHeads();
      renderAccuracy();
      return;
    case 'steps':
      view.steps = event.view;
      view.step = event.view.steps.length;
      renderAutomaton();
      return;
    case 'baseline-curve':
      view.race = {
        ...view.race,
        training: true,
        epochs: event.epochs,
        curve: [...view.race.curve, ...event.points.map(({ epoch, seconds, loss }) => ({ epoch, seconds, loss }))],
      };
      renderRace();
      return;
    case 'baseline':
      view.race = {
        ...view.race,
        training: false,
        curve: event.baseline.lossCurve.map(({ epoch, seconds, loss }) => ({ epoch, seconds, loss })),
      };
      view.baselineWarnings = event.baseline.warnings;
      view.accuracy = [
        ...view.accuracy,
        { ...event.baseline.accuracy, label: `Adam, H\u00a0=\u00a0${event.baseline.numHeads}` },
      ];
      renderRace();
      renderAccuracy();
      return;
    case 'done':
      busy = false;
      progress.finishAll();
      setStatus(`Done in ${formatSeconds(event.seconds)}.`);
      document.body.dataset.state = 'done';
      return;
    case 'error':
      busy = false;
      progress.fail(event.phase);
      abandonPlaceholders(event.phase);
      setStatus(`${PHASE_LABELS[event.phase]} failed: ${event.message}`, 'error');
      document.body.dataset.state = 'error';
      return;
  }
}

function showForm(): void {
  renderFields(fields, raw);
  syncUrl();
}

fields.addEventListener('input', (event) => {
  if ((event.target as HTMLElement).id === 'field-task') return;
  raw = readFields(fields, raw);
  syncUrl();
  check();
});
fields.addEventListener('change', (event) => {
  const target = event.target as HTMLSelectElement;
  if (target.id !== 'field-task' || !isTaskKind(target.value)) return;
  raw = switchTask(raw, target.value);
  showForm();
  check();
  byId('field-task').focus();
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  run();
});

notice.textContent = linkNotice(initial);
showForm();
if (check() === null) {
  setStatus('Some settings in the link are invalid: see the messages next to them.', 'error');
  showMessage(
    'Nothing has run yet',
    'Some settings in the link are invalid. Each problem is shown in red next to its field; fix them, then press Run.',
  );
} else {
  run();
}
