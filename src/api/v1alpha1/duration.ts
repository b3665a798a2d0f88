const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * Seconds in a Go-style duration ("90s", "1m30s", "250ms"): the syntax the CRD's pattern admits and
 * CEL's duration() reads, so the controller and the apiserver agree on every value.
 */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`"${text}" is not a duration such as 60s, 1m30s or 500ms`);
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(PART)) seconds += Number(amount) * (UNIT_SECONDS[unit as string] ?? 0);
  return seconds;
}
