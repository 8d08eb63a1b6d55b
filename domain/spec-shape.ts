// Bounds on parsed input, whatever the size of its text. YAML aliases let a
// 1 KiB file expand to gigabytes ("billion laughs") or refer to itself, and
// the validated spec is deep-copied, hashed and serialised: both would hang or
// crash deployctl instead of failing with exit 2.
import type { SpecIssue } from './errors.js';
import { isMapping, join } from './spec-checks.js';

/**
 * Twice the 256 KiB a spec file may hold. Data is measured in characters so
 * that, without aliases, it stays within a few bytes of the YAML text it came
 * from (a scalar counts its length or 1, a collection 2, an item 1, a key its
 * length + 1): only aliases come near the limit.
 */
export const MAX_SPEC_DATA_BYTES = 512 * 1024;
/** js-yaml's own nesting limit; only aliases nest deeper. */
export const MAX_SPEC_DEPTH = 100;

/**
 * The first problem with the shape of `raw`, or undefined. Sizes are those of
 * the fully expanded data, computed once per shared node, so a bomb is
 * measured without being expanded.
 */
export function checkDataShape(raw: unknown, limits = { bytes: MAX_SPEC_DATA_BYTES, depth: MAX_SPEC_DEPTH }): SpecIssue | undefined {
  const sizes = new WeakMap<object, number>();
  const open = new Set<object>();
  let problem: SpecIssue | undefined;

  const sizeOf = (v: unknown, path: string, depth: number): number => {
    if (typeof v === 'string') return Math.max(1, v.length);
    if (typeof v !== 'object' || v === null) return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    const field = path || 'spec';
    if (open.has(v)) {
      problem = { field, rule: 'must not refer to itself (a YAML alias inside its own anchor)' };
      return 0;
    }
    if (depth > limits.depth) {
      problem = { field, rule: `must not nest deeper than ${limits.depth} levels` };
      return 0;
    }
    open.add(v);
    let total = 2;
    const children: Array<[string, unknown, number]> = Array.isArray(v)
      ? v.map((x, i) => [`${path}[${i}]`, x, 1])
      : Object.entries(v).map(([k, x]) => [join(path, k), x, k.length + 1]);
    for (const [at, child, overhead] of children) {
      total += overhead + sizeOf(child, at, depth + 1);
      if (problem) return 0;
      // The innermost node to cross the limit is the field to name.
      if (total > limits.bytes) {
        problem = { field, rule: `is too large: expands to more than ${limits.bytes / 1024} KiB of data (YAML aliases?)` };
        return 0;
      }
    }
    open.delete(v);
    sizes.set(v, total);
    return total;
  };

  if (isMapping(raw) || Array.isArray(raw)) sizeOf(raw, '', 0);
  return problem;
}
