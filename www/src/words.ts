// Words the page's sentences are made of: lists and counted nouns.

/**
 * "a", "a and b", "a, b, and c": a list in a sentence, as Intl.ListFormat('en') writes it,
 * without the locale data Intl loads on first use (which a page pays for before its form shows).
 */
export function andList(items: readonly string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}

/** A whole number as people write it: "9,999", "10,000". */
export const grouped = (x: number) => x.toLocaleString('en-US');

/**
 * Counts kept apart, as their sum is written: "320 + 80 + 80", or past 8 of them
 * "64 counts from 0 to 640, 10,000 in all" (a card of 64 processes listed each one).
 */
export function sumOf(counts: readonly number[]): string {
  if (counts.length <= 8) return counts.map(grouped).join(' + ');
  const total = counts.reduce((a, b) => a + b, 0);
  return `${grouped(counts.length)} counts from ${grouped(Math.min(...counts))} to ${grouped(Math.max(...counts))}, ${grouped(total)} in all`;
}

/** "4,492 ms", "0.4 ms": grouped, and under 10 ms with its tenth ("0 ms" was no time). */
export const millis = (x: number) => (x < 10 ? `${x.toFixed(1)} ms` : `${grouped(Math.round(x))} ms`);

/** A run's length as a verdict says it: `millis`, or seconds from 10 s on ("12.3 s"). */
export const duration = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : millis(x));

/** "1 process", "2 processes": `count` for the noun whose plural is not an s. */
export const processes = (x: number) => (x === 1 ? '1 process' : `${grouped(x)} processes`);

/** A number with its noun: "1 request", "2 requests", "1.5 requests", singular exactly when it shows as 1. */
export function count(x: number, noun: string, digits = 0): string {
  const shown = x.toLocaleString('en-US', { maximumFractionDigits: digits });
  return `${shown} ${shown === '1' ? noun : `${noun}s`}`;
}

/** "its one task", "all 64 tasks": every one of a count, which for one is no "all". */
export const allOf = (x: number, noun: string) => (x === 1 ? `its one ${noun}` : `all ${count(x, noun)}`);
