// Container env: inline values, or references to a Secret or ConfigMap key
// (rendered as `valueFrom`, so the value never enters the spec, the RC's
// annotations or Temporal's history). Whether an inline value under a
// credential-like name is refused or only warned about, and which Secrets and
// ConfigMaps an app may reference, are the worker policy's calls
// (inlineCredentials, references.*: domain/worker-policy-template.ts walks the
// rendered template), not the spec's.
import { isDnsSubdomain } from './labels.js';
import { ENVIRONMENT_SECRET } from './names.js';
import { checkKnownKeys, isMapping, type Issues } from './spec-checks.js';

export interface KeyRef {
  name: string;
  key: string;
}
export type EnvRef = { secretKeyRef: KeyRef } | { configMapKeyRef: KeyRef };
export type EnvValue = string | EnvRef;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Keys of a Secret or ConfigMap: what the API server accepts.
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const REF_KINDS = ['secretKeyRef', 'configMapKeyRef'] as const;
const VALUE_RULE = 'must be a string, number or boolean, or { secretKeyRef: { name, key } } / { configMapKeyRef: { name, key } }';

export function validateEnv(raw: unknown, path: string, issues: Issues): Record<string, EnvValue> {
  const env: Record<string, EnvValue> = {};
  if (raw === undefined) return env;
  if (!isMapping(raw)) {
    issues.add(path, 'must be a mapping of names to values');
    return env;
  }
  for (const [key, value] of Object.entries(raw)) {
    const field = `${path}.${key}`;
    if (key === ENVIRONMENT_SECRET.envVar) issues.add(field, 'is reserved: deployflow sets it from the environment secret');
    else if (!ENV_NAME.test(key)) issues.add(field, "must be a name of letters, digits and '_', not starting with a digit");
    else if (isMapping(value)) {
      const ref = envRef(value, field, issues);
      if (ref) env[key] = ref;
    } else {
      const inline = inlineValue(value);
      if (inline === undefined) issues.add(field, VALUE_RULE);
      else env[key] = inline;
    }
  }
  return env;
}

// YAML turns `PORT: 8080` and `DEBUG: true` into non-strings; the container sees text anyway.
function inlineValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return String(v);
  return undefined;
}

function envRef(value: Record<string, unknown>, field: string, issues: Issues): EnvRef | undefined {
  const kinds = REF_KINDS.filter((k) => k in value);
  if (kinds.length === 0) return issues.add(field, VALUE_RULE);
  if (kinds.length > 1) return issues.add(field, 'must have exactly one of secretKeyRef, configMapKeyRef');
  checkKnownKeys(value, REF_KINDS, field, issues);
  const kind = kinds[0] as (typeof REF_KINDS)[number];
  const at = `${field}.${kind}`;
  const ref = value[kind];
  if (!isMapping(ref)) return issues.add(at, 'must be a mapping { name, key }');
  checkKnownKeys(ref, ['name', 'key'], at, issues);
  const name = typeof ref.name === 'string' && isDnsSubdomain(ref.name) ? ref.name : undefined;
  if (name === undefined) issues.add(`${at}.name`, `must name a ${kind === 'secretKeyRef' ? 'Secret' : 'ConfigMap'}: a DNS-1123 subdomain (lowercase letters, digits, '-', '.')`);
  const key = typeof ref.key === 'string' && ref.key.length <= 253 && DATA_KEY.test(ref.key) ? ref.key : undefined;
  if (key === undefined) issues.add(`${at}.key`, "must be a data key: letters, digits, '-', '_', '.' (at most 253)");
  if (name === undefined || key === undefined) return undefined;
  return kind === 'secretKeyRef' ? { secretKeyRef: { name, key } } : { configMapKeyRef: { name, key } };
}
