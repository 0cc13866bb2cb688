// The run form: presets, every spec field with its range and help, lanes on/off. Values go to
// the crate as typed; the crate checks them and its message is shown beside the control.
import type { Capabilities, Field, RunSpec, Workload } from '../types';
import { schema } from '../wasm';
import { byId, el, grouped, RunButtons, typedNumber } from './dom';
import { LanePicker } from './lane-picker';
import { PRESETS, type Preset } from './presets';

/** The schema's number fields (size, workers, latencyMs, …) and choice fields (workload, pool, fault). */
const numberFields = () => schema().fields.filter((f) => f.kind === 'whole' || f.kind === 'number').map((f) => f.name);
const choiceFields = () => schema().fields.filter((f) => f.kind === 'choice');

/** What the form starts from: every default the schema gives. */
function defaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of schema().fields) {
    if (f.default !== undefined) out[f.name] = f.default;
    if (f.defaultChoice !== undefined) out[f.name] = f.defaultChoice;
  }
  return out;
}

/**
 * A spec field's control, label and help, all from the schema (crate/src/schema.rs): a field
 * the crate adds appears in the form with nothing written here.
 */
function fieldControl(f: Field): HTMLDivElement {
  const label = el('label', { text: f.label });
  label.htmlFor = f.name;
  let control: HTMLInputElement | HTMLSelectElement;
  if (f.kind === 'choice') {
    control = el('select');
    control.append(...f.choices.map((c) => new Option(c, c)));
  } else {
    control = el('input');
    control.type = 'number';
    control.inputMode = f.kind === 'whole' ? 'numeric' : 'decimal';
    if (f.kind === 'number') control.step = 'any';
    if (f.min !== undefined) control.min = String(f.min);
    if (f.max !== undefined) control.max = String(f.max);
    // No default here: empty means "the crate's default", which depends on the spec or machine.
    if (f.default === undefined && f.name !== 'size' && f.name !== 'workers') control.placeholder = 'auto';
    if (f.name === 'size' || f.name === 'workers') control.required = true;
  }
  control.id = f.name;
  control.name = f.name;
  control.setAttribute('aria-describedby', `${f.name}-help`);
  const range = f.kind !== 'choice' && f.min !== undefined && f.max !== undefined ? ` ${grouped(f.min)} to ${grouped(f.max)}.` : '';
  const help = el('small', { class: 'help', text: `${f.help}${range}` });
  help.id = `${f.name}-help`;
  return el('div', { class: 'field' }, label, control, help);
}

/** An error from the crate or the page: its `field`, when it has one, is the control to mark. */
export type FieldError = Error & { field?: string };

export class Controls {
  readonly form = byId<HTMLFormElement>('controls');
  readonly run = byId<HTMLButtonElement>('run');
  readonly stop = byId<HTMLButtonElement>('stop');
  readonly sweep = byId<HTMLButtonElement>('sweep');
  readonly sweepMode = byId<HTMLSelectElement>('sweep-mode');
  private readonly lanes: LanePicker;
  private readonly error = byId<HTMLParagraphElement>('error');
  private readonly presets = byId<HTMLDivElement>('presets');
  onPreset: ((p: Preset) => void) | null = null;

  constructor(private readonly caps: Capabilities) {
    this.lanes = new LanePicker(byId<HTMLFieldSetElement>('lanes'), caps, 'lane');
    for (const field of schema().fields) {
      if (field.kind !== 'lanes') byId(field.more ? 'fields-more' : 'fields-main').append(fieldControl(field));
    }
    this.select('workload').addEventListener('change', () => this.describeSize());
    const { maxWorkers } = schema();
    this.input('workers').max = String(maxWorkers);
    byId('workers-help').textContent = `Threads or processes, 1 to ${maxWorkers}; this machine has ${caps.hardwareConcurrency} cores, so more than ${2 * caps.hardwareConcurrency} mostly adds waiting.`;
    for (const preset of PRESETS) {
      const button = el('button', { class: 'preset' }, el('strong', { text: preset.title }), el('span', { text: preset.blurb }));
      button.type = 'button';
      button.dataset.preset = preset.id;
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => this.onPreset?.(preset));
      this.presets.append(button);
    }
    this.write({ ...defaults(), size: 2_000_000, workers: caps.hardwareConcurrency });
  }

  private input(name: string): HTMLInputElement {
    return byId<HTMLInputElement>(name);
  }

  private select(name: string): HTMLSelectElement {
    return byId<HTMLSelectElement>(name);
  }

  private describeSize(): void {
    const name = this.select('workload').value as Workload;
    const w = schema().workloads.find((x) => x.name === name);
    if (!w) return;
    const size = this.input('size');
    size.min = String(w.sizeMin);
    size.max = String(w.sizeMax);
    byId('size-help').textContent = `${name}: ${w.sizeMeaning}, ${grouped(w.sizeMin)}–${grouped(w.sizeMax)}.`;
  }

  /** The spec as the user set it: empty fields are left out (the crate fills defaults). */
  read(): RunSpec {
    const spec: Record<string, unknown> = {};
    for (const { name } of choiceFields()) spec[name] = this.select(name).value;
    for (const name of numberFields()) {
      const input = this.input(name);
      const value = typedNumber(input);
      if (value !== undefined) spec[name] = value;
      // Size and workers have no "auto": left empty, they are refused by name, not defaulted.
      else if (input.required) spec[name] = '';
    }
    spec.lanes = this.lanes.read();
    return spec as unknown as RunSpec;
  }

  write(spec: Record<string, unknown>): void {
    for (const { name } of choiceFields()) {
      const value = spec[name];
      const select = this.select(name);
      if (typeof value === 'string' && [...select.options].some((o) => o.value === value)) select.value = value;
    }
    for (const name of numberFields()) {
      const value = spec[name];
      if (typeof value === 'number' && Number.isFinite(value)) this.input(name).value = String(value);
      // A link's value that is no number is refused by name; the box must not keep running another.
      else if (name === 'tasks' || (name in spec && value !== undefined)) this.input(name).value = '';
    }
    this.lanes.write(Array.isArray(spec.lanes) ? spec.lanes : undefined);
    this.describeSize();
  }

  /** Applies a preset on top of the defaults, and marks its button. */
  applyPreset(preset: Preset): RunSpec {
    const spec = { ...defaults(), ...preset.spec(this.caps.hardwareConcurrency) } as RunSpec;
    this.write(spec as unknown as Record<string, unknown>);
    this.markPreset(preset.id);
    return this.read();
  }

  markPreset(id: string | null): void {
    for (const b of this.presets.querySelectorAll<HTMLButtonElement>('button')) {
      b.setAttribute('aria-pressed', String(b.dataset.preset === id));
    }
  }

  /** Shows an error; when it is about a field (its `field`), beside that field's control too. */
  showError(error: FieldError, prefix = ''): void {
    this.clearError();
    const message = `${prefix}${error.message}`;
    this.error.textContent = message;
    this.error.hidden = false;
    const { field } = error;
    const control = field ? document.getElementById(field === 'lanes' ? 'lanes' : field) : null;
    if (control && this.form.contains(control)) {
      control.setAttribute('aria-invalid', 'true');
      const help = document.getElementById(`${field}-help`);
      if (help) {
        help.dataset.text ??= help.textContent ?? '';
        help.textContent = message;
        help.classList.add('invalid');
      }
      if (control instanceof HTMLInputElement || control instanceof HTMLSelectElement) {
        if (control.closest('details')) (control.closest('details') as HTMLDetailsElement).open = true;
      }
    }
  }

  clearError(): void {
    this.error.hidden = true;
    this.error.textContent = '';
    for (const c of this.form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
    for (const help of this.form.querySelectorAll<HTMLElement>('.help.invalid')) {
      help.textContent = help.dataset.text ?? '';
      help.classList.remove('invalid');
      delete help.dataset.text;
    }
  }

  /** Buttons elsewhere that start a run of this form (the Python comparison's). */
  readonly batchStarters: HTMLButtonElement[] = [];
  /**
   * Buttons that start other runs (the map's, serve's): off while one goes. Their panels keep
   * the focus on their own Stop.
   */
  readonly starters: HTMLButtonElement[] = [];
  private readonly buttons = new RunButtons(this.stop);
  /** Who holds the form busy: a run the page started holds it, and so does every run under way, a script's too. */
  private holds = 0;

  busy(running: boolean): void {
    this.holds += running ? 1 : -1;
    const own = [this.run, this.sweep, ...this.presets.querySelectorAll<HTMLButtonElement>('button'), ...this.batchStarters];
    if (running && this.holds === 1) this.buttons.start(own, this.starters);
    else if (!running && this.holds === 0) this.buttons.end();
  }
}
