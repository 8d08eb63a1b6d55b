// Small building blocks for spec validation. Each check records an issue and returns
// undefined instead of throwing, so one pass reports every problem in the file.
import type { SpecIssue } from './errors.js';
import { closestMatch } from './suggest.js';

export type Mapping = Record<string, unknown>;

export class Issues {
  readonly list: SpecIssue[] = [];

  add(field: string, rule: string): undefined {
    this.list.push({ field, rule });
    return undefined;
  }
}

export function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Refuses keys outside `known`; YAML typos otherwise vanish silently and surprise at deploy time. */
export function checkKnownKeys(m: Mapping, known: readonly string[], path: string, issues: Issues): void {
  for (const key of Object.keys(m)) {
    if (known.includes(key)) continue;
    const hint = closestMatch(key, known);
    issues.add(join(path, key), hint ? `unknown field (did you mean "${hint}"?)` : 'unknown field');
  }
}

export interface IntRange {
  min: number;
  max: number;
  /** Replaces the separate `>= min` / `<= max` rules, e.g. `must be 1-65535`. */
  rangeRule?: string;
}

export function checkInt(v: unknown, field: string, range: IntRange, issues: Issues): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v)) return issues.add(field, 'must be an integer');
  if (v < range.min) return issues.add(field, range.rangeRule ?? `must be >= ${range.min}`);
  if (v > range.max) return issues.add(field, range.rangeRule ?? `must be <= ${range.max}`);
  return v;
}

/** Like checkInt, but an absent value takes the default. */
export function optionalInt(v: unknown, field: string, range: IntRange, fallback: number, issues: Issues): number | undefined {
  return v === undefined ? fallback : checkInt(v, field, range, issues);
}

export function checkString(v: unknown, field: string, issues: Issues): string | undefined {
  if (v === undefined || v === null) return issues.add(field, 'is required');
  if (typeof v !== 'string') return issues.add(field, 'must be a string');
  return v;
}

export function optionalBoolean(v: unknown, field: string, fallback: boolean, issues: Issues): boolean | undefined {
  if (v === undefined) return fallback;
  return typeof v === 'boolean' ? v : issues.add(field, 'must be true or false');
}

export function optionalEnum<T extends string>(v: unknown, field: string, allowed: readonly T[], fallback: T, issues: Issues): T | undefined {
  if (v === undefined) return fallback;
  return (allowed as readonly unknown[]).includes(v) ? (v as T) : issues.add(field, `must be one of ${allowed.join(', ')}`);
}

/** Items of a list, or none (after recording the issue) when it is not one. */
export function listItems(v: unknown, field: string, issues: Issues): unknown[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  issues.add(field, 'must be a list');
  return [];
}

/**
 * Deep copy of parsed YAML/JSON data handed through to the pod spec, so the validated
 * spec shares nothing with its input and holds no undefined values (YAML dumpers choke on them).
 */
export function cloneData<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => cloneData(x)) as T;
  if (isMapping(v)) {
    const out: Mapping = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = cloneData(x);
    return out as T;
  }
  return v;
}
