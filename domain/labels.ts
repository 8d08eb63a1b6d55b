// Label conventions from the platform write-up: every pod carries name/app/tier/role
// (and optionally language) so monitoring can group metrics across apps and tiers.
import type { AppSpec } from './spec.js';

export const REQUIRED_LABELS = ['name', 'app', 'tier', 'role'] as const;
export const OPTIONAL_LABELS = ['language'] as const;

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'deployflow';
/** Pod-template label holding the template hash; it keeps old and new RC selectors disjoint. */
export const DEPLOYMENT_LABEL = 'deployment';

const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const DNS_1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes label value: empty, or ≤63 chars, alphanumeric at both ends, `-_.` inside. */
export function isValidLabelValue(v: string): boolean {
  return v.length <= 63 && LABEL_VALUE.test(v);
}

/** DNS-1123 label (namespaces, container and volume names): lowercase alnum and `-`. */
export function isDnsLabel(v: string, max = 63): boolean {
  return v.length > 0 && v.length <= max && DNS_1123_LABEL.test(v);
}

/** DNS-1035 label: a DNS-1123 label that also starts with a letter (Service-safe names). */
export function isDns1035Label(v: string, max = 63): boolean {
  return v.length > 0 && v.length <= max && DNS_1035_LABEL.test(v);
}

export function podLabels(spec: Pick<AppSpec, 'name' | 'app' | 'tier' | 'role' | 'language'>): Record<string, string> {
  const labels: Record<string, string> = { name: spec.name, app: spec.app, tier: spec.tier, role: spec.role };
  if (spec.language) labels.language = spec.language;
  return labels;
}

/** Selects every RC deployflow manages for one app, across revisions. */
export function appSelector(spec: Pick<AppSpec, 'name'>): string {
  return `name=${spec.name},${MANAGED_BY_LABEL}=${MANAGED_BY}`;
}
