// Small DOM helpers. Text only: nothing here ever parses a string as HTML.
export function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page is missing #${id}`);
  return found as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; text?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

/**
 * 20000000 as "20,000,000", as toLocaleString('en') writes the plain decimals the schema's ranges
 * hold, but without Intl: the first Intl call in a page loads its locale data (16–46 ms of the
 * page thread on a slow machine), and the form shows these ranges before anything else needs it.
 * A run pays for it where it first writes a number in words: between lanes or after them (a
 * card's counter, a serve lane's status, the verdict), never inside a lane's timed part.
 */
export function grouped(x: number): string {
  const [whole, fraction] = String(x).split('.');
  return whole.replace(/\B(?=(\d{3})+$)/g, ',') + (fraction === undefined ? '' : `.${fraction}`);
}

/**
 * A number field as typed: undefined when empty (the default), NaN when the browser cannot read
 * it (`1e`, `1e400` read as ''), so the checker refuses it by name rather than run the default.
 */
export function typedNumber(input: HTMLInputElement): number | undefined {
  if (input.validity.badInput) return Number.NaN;
  const raw = input.value.trim();
  return raw === '' ? undefined : Number(raw);
}

/** The phase colours, read from CSS so the canvas follows the theme. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * Copies a link for the visitor and says so in `status`, or, where the browser does not let the
 * page copy, shows the link to copy by hand.
 */
export async function copyLink(search: string, status: HTMLElement, copied: string): Promise<void> {
  const link = `${location.origin}${location.pathname}${search}`;
  try {
    await navigator.clipboard.writeText(link);
    status.textContent = copied;
  } catch {
    status.textContent = `Copy this link: ${link}`;
  }
}

/**
 * A panel's Run and Stop while a run goes: the buttons that start runs are off and Stop is on.
 * A disabled button drops the keyboard's focus to the page, so the focus moves to the panel's
 * Stop (and the page scrolls to nothing else) when a starter had it, and back to that starter once
 * the run is over, unless the visitor moved it.
 */
export class RunButtons {
  private before: HTMLElement | null = null;
  private off: HTMLButtonElement[] = [];

  constructor(private readonly stop: HTMLButtonElement) {}

  /** A run starts from one of `starters`; `others` (other panels' starters) are off as well. */
  start(starters: readonly HTMLButtonElement[], others: readonly HTMLButtonElement[] = []): void {
    // Stop first: the focus can only move to a button that is enabled.
    this.stop.disabled = false;
    const active = document.activeElement;
    if (active instanceof HTMLButtonElement && starters.includes(active)) {
      this.before = active;
      this.stop.focus();
    }
    this.off = [...starters, ...others];
    for (const b of this.off) b.disabled = true;
  }

  /**
   * The run is over: the buttons on again and the focus back, before Stop goes off. A run started
   * elsewhere (Enter in a field) and stopped from the keyboard leaves the focus on Stop: it goes to
   * the first starter rather than fall to the page.
   */
  end(): void {
    const starter = this.off[0];
    for (const b of this.off) b.disabled = false;
    this.off = [];
    const active = document.activeElement;
    if (this.before && (active === this.stop || active === document.body || active === null)) this.before.focus();
    else if (active === this.stop) starter?.focus();
    this.before = null;
    this.stop.disabled = true;
  }
}
