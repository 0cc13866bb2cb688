// The run form: spec <-> controls. Values are read as the user typed them; the wasm checks them.
import { LANES, WORKLOADS, type Capabilities, type RunSpec } from '../types';

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page is missing #${id}`);
  return found as T;
}

export class Controls {
  readonly form = el<HTMLFormElement>('controls');
  readonly run = el<HTMLButtonElement>('run');
  readonly stop = el<HTMLButtonElement>('stop');
  private readonly workload = el<HTMLSelectElement>('workload');
  private readonly size = el<HTMLInputElement>('size');
  private readonly workers = el<HTMLInputElement>('workers');
  private readonly lanes = el<HTMLFieldSetElement>('lanes');

  constructor(caps: Capabilities) {
    for (const w of WORKLOADS) this.workload.add(new Option(w, w));
    this.workers.max = String(2 * caps.hardwareConcurrency);
    this.workers.value = String(caps.hardwareConcurrency);
    for (const lane of LANES) {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'lane';
      box.value = lane;
      box.checked = caps.lanes.includes(lane);
      box.disabled = !caps.lanes.includes(lane);
      if (box.disabled) label.title = caps.reasons[lane] ?? '';
      label.append(box, ` ${lane}`);
      this.lanes.append(label);
    }
  }

  read(): RunSpec {
    return {
      workload: this.workload.value as RunSpec['workload'],
      size: this.size.valueAsNumber,
      workers: this.workers.valueAsNumber,
      lanes: [...this.lanes.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value as RunSpec['lanes'] & string),
    } as RunSpec;
  }

  write(spec: Record<string, unknown>): void {
    if (typeof spec.workload === 'string' && (WORKLOADS as readonly string[]).includes(spec.workload)) {
      this.workload.value = spec.workload;
    }
    if (typeof spec.size === 'number') this.size.value = String(spec.size);
    if (typeof spec.workers === 'number') this.workers.value = String(spec.workers);
    if (Array.isArray(spec.lanes)) {
      for (const box of this.lanes.querySelectorAll<HTMLInputElement>('input')) {
        box.checked = !box.disabled && spec.lanes.includes(box.value);
      }
    }
  }

  busy(running: boolean): void {
    this.run.disabled = running;
    this.stop.disabled = !running;
  }
}
