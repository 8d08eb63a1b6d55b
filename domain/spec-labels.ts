// The app spec's own `labels`: extra pod labels an organisation's label policy may
// require (team, cost-center, ...). The conventions keep their own fields and
// deployflow's selector labels stay out of reach, so no spec can break a rollout.
import { DEPLOYFLOW_PREFIX, RESERVED_LABEL_KEYS, isValidLabelKey, isValidLabelValue } from './labels.js';
import { isMapping, type Issues } from './spec-checks.js';

export const LABEL_KEY_RULE =
  "must be a valid label key: an optional DNS subdomain prefix and '/', then at most 63 characters, letters and digits at both ends, '-', '_', '.' inside";
export const LABEL_VALUE_RULE =
  "must be a valid label value: at most 63 characters, letters and digits at both ends, '-', '_', '.', letters and digits inside";

/** `labels.team`, or `labels["example.com/team"]` when the key is not a plain word. */
export function labelField(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? `labels.${key}` : `labels[${JSON.stringify(key)}]`;
}

/** The validated map with keys sorted, or undefined when absent or empty (an empty map changes nothing). */
export function validateSpecLabels(raw: unknown, issues: Issues): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMapping(raw)) {
    issues.add('labels', 'must be a mapping of label keys to values');
    return undefined;
  }
  const labels: Record<string, string> = {};
  for (const key of Object.keys(raw).sort()) {
    const field = labelField(key);
    const reserved = reservedReason(key);
    if (reserved) {
      issues.add(field, reserved);
      continue;
    }
    if (!isValidLabelKey(key)) {
      issues.add(field, LABEL_KEY_RULE);
      continue;
    }
    const value = raw[key];
    // YAML reads `cost-center: 1234` as a number; the label is text either way.
    const text = typeof value === 'string' ? value : (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' ? String(value) : undefined;
    if (text === undefined) issues.add(field, 'must be a string, number or boolean');
    else if (!isValidLabelValue(text)) issues.add(field, LABEL_VALUE_RULE);
    else labels[key] = text;
  }
  return Object.keys(labels).length > 0 ? labels : undefined;
}

function reservedReason(key: string): string | undefined {
  if (!(RESERVED_LABEL_KEYS as readonly string[]).includes(key) && !key.startsWith(DEPLOYFLOW_PREFIX)) return undefined;
  if (['name', 'app', 'tier', 'role', 'language'].includes(key)) return `is reserved: set it with the top-level "${key}" field`;
  return 'is reserved: deployflow sets it (selectors and ownership depend on it)';
}
