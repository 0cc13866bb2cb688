// A number with its noun, as the page's sentences count things: "1 request", "2 requests",
// "1.5 requests", the noun singular exactly when the number shows as 1.
export function count(x: number, noun: string, digits = 0): string {
  const shown = x.toLocaleString('en-US', { maximumFractionDigits: digits });
  return `${shown} ${shown === '1' ? noun : `${noun}s`}`;
}
