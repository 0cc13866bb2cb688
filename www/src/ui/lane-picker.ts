// The lanes of a form, one checkbox each: every lane the crate knows, those off in this browser
// disabled with the reason (read by screen readers too). The run form and serve mode's share it.
import type { Capabilities, Lane } from '../types';
import { schema } from '../wasm';
import { el } from './dom';

export class LanePicker {
  /** `name`: the checkboxes' form name. */
  constructor(
    private readonly box: HTMLFieldSetElement,
    private readonly caps: Capabilities,
    name: string,
  ) {
    for (const lane of schema().lanes) {
      const on = caps.lanes.includes(lane);
      const input = el('input');
      input.type = 'checkbox';
      input.name = name;
      input.value = lane;
      input.checked = on;
      input.disabled = !on;
      const label = el('label', {}, input, ` ${lane}`);
      if (!on) {
        label.classList.add('off');
        label.title = caps.reasons[lane] ?? '';
        label.append(el('span', { class: 'visually-hidden', text: ` (off: ${caps.reasons[lane] ?? 'unavailable'})` }));
      }
      box.append(label);
    }
  }

  /** The lanes ticked. */
  read(): Lane[] {
    return [...this.boxes()].filter((b) => b.checked).map((b) => b.value as Lane);
  }

  /** Every lane that runs here is ticked. */
  get all(): boolean {
    return [...this.boxes()].every((b) => b.checked || b.disabled);
  }

  /** Ticks `lanes` (those that run here), or every lane that runs here when none are given. */
  write(lanes: readonly unknown[] | undefined): void {
    const on = lanes ?? this.caps.lanes;
    for (const b of this.boxes()) b.checked = !b.disabled && on.includes(b.value);
  }

  private boxes(): NodeListOf<HTMLInputElement> {
    return this.box.querySelectorAll<HTMLInputElement>('input');
  }
}
