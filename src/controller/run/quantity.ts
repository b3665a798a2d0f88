const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** The value of a Kubernetes resource quantity ("2", "1500m", "512Mi", "1Gi"); NaN when unreadable. */
export function parseQuantity(quantity: string | undefined): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity ?? '');
  if (!match) return NaN;
  return Number(match[1]) * (SUFFIX[match[2] ?? ''] as number);
}
