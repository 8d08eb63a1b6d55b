// maxSurge / maxUnavailable take Kubernetes' IntOrString shape: a count, or a
// percentage of the desired replicas. Only "N%" strings are accepted; a bare "3"
// string is refused rather than guessed at.

export type IntOrPercent = { kind: 'int'; value: number } | { kind: 'percent'; value: number };

const PERCENT = /^(\d{1,3})%$/;

/** Parses a non-negative integer or a "0%".."100%" string; undefined when it is neither. */
export function parseIntOrPercent(v: unknown): IntOrPercent | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? { kind: 'int', value: v } : undefined;
  if (typeof v !== 'string') return undefined;
  const m = PERCENT.exec(v);
  if (!m?.[1]) return undefined;
  const value = Number(m[1]);
  return value <= 100 ? { kind: 'percent', value } : undefined;
}

/** Absolute value of `v` against `total`; percentages round up or down as asked. */
export function scaledValue(v: IntOrPercent, total: number, round: 'up' | 'down'): number {
  if (v.kind === 'int') return v.value;
  // Integer arithmetic: no floating-point surprises such as 29% of 100 landing just below 29.
  const scaled = v.value * total;
  return round === 'up' ? Math.ceil(scaled / 100) : Math.floor(scaled / 100);
}
