// The run form: presets, every spec field with its range and help, lanes on/off. Values go to
// the crate as typed; the crate checks them and its message is shown beside the control.
import { LANES, WORKLOADS, type Capabilities, type Lane, type RunSpec, type Workload } from '../types';
import { sizeRangeOf } from '../wasm';
import { byId, el } from './dom';
import { PRESETS, type Preset } from './presets';

const NUMBER_FIELDS = ['size', 'workers', 'tasks', 'latencyMs', 'jitterMs', 'cpuRounds', 'gilSwitchMs', 'yieldEvery', 'seed'] as const;
const SELECT_FIELDS = ['workload', 'pool', 'fault'] as const;

const SIZE_MEANING: Record<Workload, string> = {
  primes: 'count the primes below it',
  mandelbrot: 'image side in pixels',
  hash: 'SHA-256 rounds per task',
  io: 'number of requests',
  mixed: 'number of requests',
  share: 'buffer size in MB',
};

const DEFAULTS = { latencyMs: 100, jitterMs: 0, cpuRounds: 2000, gilSwitchMs: 5, yieldEvery: 0, seed: 1 };

export class Controls {
  readonly form = byId<HTMLFormElement>('controls');
  readonly run = byId<HTMLButtonElement>('run');
  readonly stop = byId<HTMLButtonElement>('stop');
  readonly sweep = byId<HTMLButtonElement>('sweep');
  readonly sweepMode = byId<HTMLSelectElement>('sweep-mode');
  private readonly lanes = byId<HTMLFieldSetElement>('lanes');
  private readonly error = byId<HTMLParagraphElement>('error');
  private readonly presets = byId<HTMLDivElement>('presets');
  onPreset: ((p: Preset) => void) | null = null;

  constructor(private readonly caps: Capabilities) {
    const workload = this.select('workload');
    for (const w of WORKLOADS) workload.add(new Option(w, w));
    workload.addEventListener('change', () => this.describeSize());
    const workers = this.input('workers');
    workers.max = String(2 * caps.hardwareConcurrency);
    byId('workers-help').textContent = `Threads or processes, 1 to ${2 * caps.hardwareConcurrency} (2 × the ${caps.hardwareConcurrency} cores here).`;
    for (const lane of LANES) {
      const on = caps.lanes.includes(lane);
      const box = el('input');
      box.type = 'checkbox';
      box.name = 'lane';
      box.value = lane;
      box.checked = on;
      box.disabled = !on;
      const label = el('label', {}, box, ` ${lane}`);
      if (!on) {
        label.classList.add('off');
        label.title = caps.reasons[lane] ?? '';
        label.append(el('span', { class: 'visually-hidden', text: ` (off: ${caps.reasons[lane] ?? 'unavailable'})` }));
      }
      this.lanes.append(label);
    }
    for (const preset of PRESETS) {
      const button = el('button', { class: 'preset' }, el('strong', { text: preset.title }), el('span', { text: preset.blurb }));
      button.type = 'button';
      button.dataset.preset = preset.id;
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => this.onPreset?.(preset));
      this.presets.append(button);
    }
    this.write({ workload: 'primes', size: 2_000_000, workers: caps.hardwareConcurrency, ...DEFAULTS });
  }

  private input(name: string): HTMLInputElement {
    return byId<HTMLInputElement>(name);
  }

  private select(name: string): HTMLSelectElement {
    return byId<HTMLSelectElement>(name);
  }

  private describeSize(): void {
    const w = this.select('workload').value as Workload;
    const [min, max] = sizeRangeOf(w);
    const size = this.input('size');
    size.min = String(min);
    size.max = String(max);
    byId('size-help').textContent = `${w}: ${SIZE_MEANING[w]}, ${min.toLocaleString('en')}–${max.toLocaleString('en')}.`;
  }

  /** The spec as the user set it: empty fields are left out (the crate fills defaults). */
  read(): RunSpec {
    const spec: Record<string, unknown> = {};
    for (const name of SELECT_FIELDS) spec[name] = this.select(name).value;
    for (const name of NUMBER_FIELDS) {
      const raw = this.input(name).value.trim();
      if (raw !== '') spec[name] = Number(raw);
    }
    spec.lanes = [...this.lanes.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
    return spec as unknown as RunSpec;
  }

  write(spec: Record<string, unknown>): void {
    for (const name of SELECT_FIELDS) {
      const value = spec[name];
      const select = this.select(name);
      if (typeof value === 'string' && [...select.options].some((o) => o.value === value)) select.value = value;
    }
    for (const name of NUMBER_FIELDS) {
      const value = spec[name];
      if (typeof value === 'number' && Number.isFinite(value)) this.input(name).value = String(value);
      else if (name === 'tasks') this.input(name).value = '';
    }
    const lanes = Array.isArray(spec.lanes) ? (spec.lanes as string[]) : this.caps.lanes;
    for (const box of this.lanes.querySelectorAll<HTMLInputElement>('input')) {
      box.checked = !box.disabled && lanes.includes(box.value as Lane);
    }
    this.describeSize();
  }

  /** Applies a preset on top of the defaults, and marks its button. */
  applyPreset(preset: Preset): RunSpec {
    const spec = { ...DEFAULTS, pool: 'cold', fault: 'none', ...preset.spec(this.caps.hardwareConcurrency) } as RunSpec;
    this.write(spec as unknown as Record<string, unknown>);
    this.markPreset(preset.id);
    return this.read();
  }

  markPreset(id: string | null): void {
    for (const b of this.presets.querySelectorAll<HTMLButtonElement>('button')) {
      b.setAttribute('aria-pressed', String(b.dataset.preset === id));
    }
  }

  /** Shows the crate's message; if it names a field, next to that field's control too. */
  showError(message: string): void {
    this.clearError();
    this.error.textContent = message;
    this.error.hidden = false;
    const field = /^([A-Za-z]+):/.exec(message)?.[1];
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

  busy(running: boolean): void {
    this.run.disabled = running;
    this.sweep.disabled = running;
    this.stop.disabled = !running;
    for (const b of this.presets.querySelectorAll<HTMLButtonElement>('button')) b.disabled = running;
  }
}
