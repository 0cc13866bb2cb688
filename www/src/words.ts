// Words the page's sentences are made of: lists and counted nouns.

/**
 * "a", "a and b", "a, b, and c": a list in a sentence, as Intl.ListFormat('en') writes it,
 * without the locale data Intl loads on first use (which a page pays for before its form shows).
 */
export function andList(items: readonly string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}

/** A number with its noun: "1 request", "2 requests", "1.5 requests", singular exactly when it shows as 1. */
export function count(x: number, noun: string, digits = 0): string {
  const shown = x.toLocaleString('en-US', { maximumFractionDigits: digits });
  return `${shown} ${shown === '1' ? noun : `${noun}s`}`;
}
