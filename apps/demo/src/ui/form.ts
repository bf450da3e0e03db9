/** The settings form: one labelled input per field of the chosen task, its hint, and its error right under it. */
import {
  type Field,
  type FieldErrors,
  type FieldKey,
  fieldsFor,
  isTaskKind,
  type RawParams,
  TASK_KINDS,
  TASK_LABELS,
  type TaskKind,
} from '../params.js';
import { h } from './dom.js';

const GROUP_TITLES = { task: 'Task', data: 'Data', learner: 'Learner' } as const;

function control(field: Field, value: string): HTMLElement {
  const described = `hint-${field.key} error-${field.key}`;
  if (field.kind === 'choice') {
    // A value that is not a choice (from a link) stays visible and selected until a valid one is picked.
    const offered = field.choices.some((choice) => choice.value === value);
    return h(
      'select',
      { id: `field-${field.key}`, name: field.key, 'aria-describedby': described },
      offered ? null : h('option', { value, selected: true, disabled: true }, `“${value}” (not a choice)`),
      ...field.choices.map((choice) =>
        h('option', { value: choice.value, selected: choice.value === value }, choice.label),
      ),
    );
  }
  const input = h('input', {
    id: `field-${field.key}`,
    name: field.key,
    type: 'text',
    inputmode: field.kind === 'integer' ? 'numeric' : 'decimal',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': described,
  });
  input.value = value;
  return input;
}

export function fieldRow(field: Field, value: string): HTMLElement {
  return h(
    'div',
    { class: 'field', 'data-field': field.key },
    h('label', { for: `field-${field.key}` }, field.label),
    control(field, value),
    h('p', { class: 'hint', id: `hint-${field.key}` }, field.hint),
    h('p', { class: 'error', id: `error-${field.key}`, 'aria-live': 'polite' }),
  );
}

/** Fills `container` with the task selector and the fields of `raw.task`, grouped. */
export function renderFields(container: HTMLElement, raw: RawParams): void {
  const task: TaskKind = isTaskKind(raw.task) ? raw.task : 'random-mhla';
  const taskSelect = h(
    'select',
    { id: 'field-task', name: 'task' },
    ...TASK_KINDS.map((kind) => h('option', { value: kind, selected: kind === task }, TASK_LABELS[kind])),
  );
  const groups = new Map<string, HTMLElement>();
  for (const [group, title] of Object.entries(GROUP_TITLES)) {
    groups.set(group, h('fieldset', {}, h('legend', {}, title)));
  }
  groups.get('task')?.append(h('div', { class: 'field' }, h('label', { for: 'field-task' }, 'Task'), taskSelect));
  for (const field of fieldsFor(task)) {
    const group = groups.get(field.group);
    if (group === undefined) continue;
    group.append(fieldRow(field, raw.values[field.key] ?? ''));
  }
  container.replaceChildren(...groups.values());
}

/** The form's current contents (fields outside the form, such as the view's instance, are taken from `base`). */
export function readFields(container: HTMLElement, base: RawParams): RawParams {
  const taskSelect = container.querySelector<HTMLSelectElement>('#field-task');
  const task = taskSelect?.value ?? base.task;
  const values: Partial<Record<FieldKey, string>> = { ...base.values };
  for (const element of container.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[name]')) {
    if (element.name !== 'task') values[element.name as FieldKey] = element.value.trim();
  }
  return { task, values };
}

/** Shows each error under its field (and marks the input invalid); clears the others. */
export function showErrors(root: ParentNode, errors: FieldErrors): void {
  for (const row of root.querySelectorAll<HTMLElement>('[data-field]')) {
    const key = row.dataset.field as FieldKey;
    const message = errors[key];
    const error = row.querySelector('.error');
    const input = row.querySelector('input, select');
    if (error !== null) error.textContent = message ?? '';
    if (message === undefined) input?.removeAttribute('aria-invalid');
    else input?.setAttribute('aria-invalid', 'true');
  }
}
