// What this browser can do, and why any lane is off, with how to fix it.
import type { Capabilities } from '../types';
import { andList } from '../words';
import { byId, el } from './dom';

export function showEnvironment(caps: Capabilities): void {
  const dl = byId<HTMLDListElement>('env');
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const rows: [string, string][] = [
    ['Cores', String(caps.hardwareConcurrency)],
    ['Cross-origin isolated', yes(caps.crossOriginIsolated)],
    ['Shared WebAssembly memory', yes(caps.sharedMemory)],
    ['Atomics.waitAsync', yes(typeof (Atomics as { waitAsync?: unknown }).waitAsync === 'function')],
    ['Lanes on', caps.lanes.join(', ')],
  ];
  for (const [lane, why] of Object.entries(caps.reasons)) rows.push([`${lane} is off`, why]);
  const note = byId('coi-note');
  const off = Object.keys(caps.reasons);
  // Said at the top, not only in a greyed box's tooltip: a story whose lanes are off here races without them.
  if (off.length > 0) {
    note.textContent = `${andList(off)} ${off.length === 1 ? 'is' : 'are'} off in this browser: ${[...new Set(Object.values(caps.reasons))].join(' ')}`;
    note.hidden = false;
  }
  // Set by coi-config.js when coi-serviceworker reloaded the page (builds for header-less hosts).
  if (sessionStorage.getItem('coi-reloaded') === '1') {
    note.textContent = caps.crossOriginIsolated
      ? 'This host sends no COOP/COEP headers, so the page reloaded once through a service worker '
        + '(coi-serviceworker) to become cross-origin isolated: threads are on.'
      : 'This host sends no COOP/COEP headers and the service worker that adds them could not make '
        + 'the page cross-origin isolated, so threads stay off.';
    note.hidden = false;
    rows.push(['Isolation by service worker', caps.crossOriginIsolated ? 'yes, after one reload' : 'tried, failed']);
  }
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
}
