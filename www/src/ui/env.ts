// What this browser can do, and why any lane is off, with how to fix it.
import type { Capabilities } from '../types';
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
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
}
