// Medians and spreads for small samples, and how a cost grows with size.

export interface Spread {
  n: number;
  median: number;
  min: number;
  max: number;
  p90: number;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
}

export function spread(values: number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    p90: quantile(sorted, 0.9),
  };
}

/**
 * The exponent k of cost ∝ size^k, fitted on log-log axes (least squares):
 * k ≈ 1 is linear growth, k < 1 sublinear, k > 1 superlinear.
 */
export function growthExponent(points: { size: number; cost: number }[]): number {
  const pts = points.filter((p) => p.size > 0 && p.cost > 0).map((p) => ({ x: Math.log(p.size), y: Math.log(p.cost) }));
  if (pts.length < 2) return Number.NaN;
  const mx = pts.reduce((s, p) => s + p.x, 0) / pts.length;
  const my = pts.reduce((s, p) => s + p.y, 0) / pts.length;
  const num = pts.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = pts.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? Number.NaN : num / den;
}

export function describeGrowth(k: number): string {
  if (!Number.isFinite(k)) return 'n/a';
  const shape = k < 0.2 ? 'flat' : k < 0.85 ? 'sublinear' : k <= 1.15 ? 'linear' : 'superlinear';
  return `${shape} (∝ n^${k.toFixed(2)})`;
}
