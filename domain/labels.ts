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

/** DNS-1123 subdomain (ServiceAccount and most object names): dot-separated DNS labels, at most 253 characters. */
export function isDnsSubdomain(v: string): boolean {
  return v.length > 0 && v.length <= 253 && DNS_1123_SUBDOMAIN.test(v);
}

/**
 * Label keys an app spec's `labels` map may not set: the conventions have their own
 * spec fields, and the rest are deployflow's own (selectors and ownership depend on them).
 */
export const RESERVED_LABEL_KEYS = [...REQUIRED_LABELS, ...OPTIONAL_LABELS, DEPLOYMENT_LABEL, MANAGED_BY_LABEL] as const;
/** Prefix of the annotations (and any future labels) deployflow writes. */
export const DEPLOYFLOW_PREFIX = 'deployflow.io/';

const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes label key: `[prefix/]name`, prefix a DNS subdomain (≤253), name ≤63 alphanumeric at both ends with `-_.` inside. */
export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/**
 * The labels every pod (and its RC) carries: the conventions, then the spec's own
 * `labels`. Specs without `labels` get exactly the conventions, so their template
 * hash is what it always was.
 */
export function podLabels(spec: Pick<AppSpec, 'name' | 'app' | 'tier' | 'role' | 'language' | 'labels'>): Record<string, string> {
  const labels: Record<string, string> = { name: spec.name, app: spec.app, tier: spec.tier, role: spec.role };
  if (spec.language) labels.language = spec.language;
  for (const [key, value] of Object.entries(spec.labels ?? {})) {
    // Validation refuses reserved keys; skipping them here too keeps selectors safe whatever the input.
    if (!(RESERVED_LABEL_KEYS as readonly string[]).includes(key)) labels[key] = value;
  }
  return labels;
}

/** Selects every RC deployflow manages for one app, across revisions. */
export function appSelector(spec: Pick<AppSpec, 'name'>): string {
  return `name=${spec.name},${MANAGED_BY_LABEL}=${MANAGED_BY}`;
}
