// An organisation's label policy: which pod labels every app must carry and which
// values they may take (`tier` in frontend|backend|worker, `team` from a list,
// `cost-center` matching a pattern). The seed's conventions are the default. The
// policy is plain data, so the client checks it before starting a deploy and the
// deploy workflow checks it again from its own input (a deploy started by other
// means cannot skip it).
//
// A policy file (YAML):
//   required:                    # keys every app must set (name/app/tier/role always are)
//     tier: { values: [frontend, backend, worker] }
//     team: { pattern: '[a-z][a-z0-9-]*', description: 'the owning team, as in the on-call tool' }
//   optional:                    # keys an app may set; constrained when it does
//     language: { values: [nodejs, jvm, go, python] }
//   otherLabels: deny            # allow (default) | deny: spec labels the policy does not name
import { RE2JS } from 're2js';
import { InvalidSpecError, type SpecIssue } from './errors.js';
import { DEPLOYFLOW_PREFIX, DEPLOYMENT_LABEL, MANAGED_BY_LABEL, OPTIONAL_LABELS, REQUIRED_LABELS, isValidLabelKey, isValidLabelValue } from './labels.js';
import { Issues, checkKnownKeys, isMapping, join } from './spec-checks.js';
import { LABEL_KEY_RULE, labelField } from './spec-labels.js';
import type { AppSpec } from './spec.js';

export interface LabelRule {
  /** The value must be one of these. */
  values?: string[];
  /** The value must match this regular expression (RE2 syntax) as a whole (it is anchored). */
  pattern?: string;
  /** Why the rule exists; shown with every issue the rule raises. */
  description?: string;
}

export interface LabelPolicy {
  /** Keys every app must carry, in order; always includes name, app, tier and role. */
  required: Record<string, LabelRule>;
  /** Keys an app may carry, checked when present. */
  optional: Record<string, LabelRule>;
  /** `deny`: the spec's `labels` map may only carry keys named above. */
  otherLabels: 'allow' | 'deny';
}

/** The seed's conventions: name/app/tier/role required, language optional, values free. */
export const DEFAULT_LABEL_POLICY: LabelPolicy = {
  required: Object.fromEntries(REQUIRED_LABELS.map((k) => [k, {}])),
  optional: Object.fromEntries(OPTIONAL_LABELS.map((k) => [k, {}])),
  otherLabels: 'allow',
};

const POLICY_KEYS = ['required', 'optional', 'otherLabels'] as const;
const RULE_KEYS = ['values', 'pattern', 'description'] as const;
const MAX_PATTERN_LENGTH = 512;
const SUFFIX = 'label policy';

type LabelSource = Pick<AppSpec, 'name' | 'app' | 'tier' | 'role' | 'language' | 'labels'>;

/**
 * Checks a parsed policy document and returns it complete (the four conventional
 * keys always required, rules normalised); throws InvalidSpecError naming each
 * problem by its path in the document, e.g. `required.tier.values[2]`.
 */
export function validateLabelPolicy(raw: unknown): LabelPolicy {
  if (!isMapping(raw)) throw new InvalidSpecError([{ field: 'policy', rule: 'must be a mapping with required, optional and otherLabels' }]);
  const issues = new Issues();
  checkKnownKeys(raw, POLICY_KEYS, '', issues);
  const given = ruleSet(raw.required, 'required', issues);
  const optional = ruleSet(raw.optional, 'optional', issues);
  for (const key of Object.keys(optional)) {
    if ((REQUIRED_LABELS as readonly string[]).includes(key)) {
      issues.add(`optional.${key}`, 'is always required by deployflow: list it under required to constrain its values');
    } else if (key in given) issues.add(`optional.${key}`, 'is also listed under required');
  }
  let otherLabels: LabelPolicy['otherLabels'] = 'allow';
  if (raw.otherLabels !== undefined) {
    if (raw.otherLabels === 'allow' || raw.otherLabels === 'deny') otherLabels = raw.otherLabels;
    else issues.add('otherLabels', 'must be one of allow, deny');
  }
  if (issues.list.length > 0) throw new InvalidSpecError(issues.list);
  // The conventions come first and stay required whatever the file says.
  const required: Record<string, LabelRule> = Object.fromEntries(REQUIRED_LABELS.map((k) => [k, {}]));
  Object.assign(required, given);
  return { required, optional, otherLabels };
}

/** Every way `spec` breaks `policy`, as `tier: must be one of frontend, backend, worker (label policy)`. */
export function checkLabelPolicy(spec: LabelSource, policy: LabelPolicy): SpecIssue[] {
  const labels = specLabels(spec);
  const issues: SpecIssue[] = [];
  for (const [key, rule] of Object.entries(policy.required)) {
    const value = labels.get(key);
    if (value === undefined || value === '') issues.push({ field: fieldOf(key), rule: `is required (${suffix(rule)})` });
    else issues.push(...checkValue(key, value, rule));
  }
  for (const [key, rule] of Object.entries(policy.optional)) {
    const value = labels.get(key);
    if (value !== undefined && value !== '') issues.push(...checkValue(key, value, rule));
  }
  if (policy.otherLabels === 'deny') {
    const named = new Set([...Object.keys(policy.required), ...Object.keys(policy.optional)]);
    const allowed = [...named].filter((k) => !(CONVENTIONS as readonly string[]).includes(k));
    for (const key of Object.keys(spec.labels ?? {})) {
      if (named.has(key)) continue;
      const hint = allowed.length > 0 ? `; it allows ${allowed.join(', ')}` : '; it allows no labels beyond the conventions';
      issues.push({ field: fieldOf(key), rule: `is not allowed by the ${SUFFIX}${hint}` });
    }
  }
  return issues;
}

/**
 * The workflow's gate: validates the policy as received (it crossed a process
 * boundary) and throws InvalidSpecError listing every issue of the spec.
 */
export function enforceLabelPolicy(spec: LabelSource, policy: unknown): void {
  const issues = checkLabelPolicy(spec, validateLabelPolicy(policy));
  if (issues.length > 0) throw new InvalidSpecError(issues);
}

/** One line per key for people: `tier (required): frontend | backend | worker`. */
export function describeLabelPolicy(policy: LabelPolicy): string[] {
  const line = (key: string, kind: string, rule: LabelRule) => {
    const allowed = rule.values ? rule.values.join(' | ') : rule.pattern ? `/${rule.pattern}/` : 'any valid value';
    return `${key} (${kind}): ${allowed}${rule.description ? ` — ${rule.description}` : ''}`;
  };
  return [
    ...Object.entries(policy.required).map(([k, r]) => line(k, 'required', r)),
    ...Object.entries(policy.optional).map(([k, r]) => line(k, 'optional', r)),
    `other labels: ${policy.otherLabels === 'allow' ? 'allowed' : 'denied'}`,
  ];
}

const CONVENTIONS = [...REQUIRED_LABELS, ...OPTIONAL_LABELS] as const;

function specLabels(spec: LabelSource): Map<string, string> {
  const labels = new Map<string, string>(Object.entries(spec.labels ?? {}));
  for (const key of CONVENTIONS) {
    const value = spec[key];
    if (value !== undefined) labels.set(key, value);
  }
  return labels;
}

/** Conventions are top-level spec fields; everything else lives in `labels`. */
function fieldOf(key: string): string {
  return (CONVENTIONS as readonly string[]).includes(key) ? key : labelField(key);
}

function suffix(rule: LabelRule): string {
  return rule.description ? `${SUFFIX}: ${rule.description}` : SUFFIX;
}

function checkValue(key: string, value: string, rule: LabelRule): SpecIssue[] {
  if (rule.values && !rule.values.includes(value)) {
    return [{ field: fieldOf(key), rule: `must be one of ${rule.values.join(', ')} (${suffix(rule)})` }];
  }
  if (rule.pattern !== undefined && !anchored(rule.pattern).matches(value)) {
    return [{ field: fieldOf(key), rule: `must match ${rule.pattern} (${suffix(rule)})` }];
  }
  return [];
}

// RE2 (re2js, pure JavaScript, so it also runs in the workflow sandbox) matches in time
// linear in the value: a pattern such as `(a|aa)+` from a policy file cannot hang
// `deployctl validate` or a workflow task the way a backtracking RegExp does. Its syntax
// is RE2's: no lookaround or backreferences, which need backtracking. The pattern is
// compiled on its own (so `a)|(b` is refused, not spliced into an anchor) and
// `matches()` takes the value as a whole.
function anchored(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

/** `required:` / `optional:` as a mapping of key → rule (or nothing), or a plain list of keys. */
function ruleSet(raw: unknown, path: string, issues: Issues): Record<string, LabelRule> {
  const rules: Record<string, LabelRule> = {};
  if (raw === undefined || raw === null) return rules;
  let entries: Array<[string, unknown, string]>;
  if (Array.isArray(raw)) {
    entries = [];
    raw.forEach((key, i) => {
      if (typeof key !== 'string') issues.add(`${path}[${i}]`, 'must be a label key (a string)');
      else if (entries.some(([k]) => k === key)) issues.add(`${path}[${i}]`, `repeats ${key}`);
      else entries.push([key, undefined, `${path}[${i}]`]);
    });
  } else if (isMapping(raw)) {
    entries = Object.entries(raw).map(([key, value]) => [key, value, join(path, key)]);
  } else {
    issues.add(path, 'must be a mapping of label keys to rules, or a list of label keys');
    return rules;
  }
  for (const [key, value, field] of entries) {
    const keyProblem = policyKeyProblem(key);
    if (keyProblem) {
      issues.add(field, keyProblem);
      continue;
    }
    const rule = labelRule(value, field, issues);
    if (rule) rules[key] = rule;
  }
  return rules;
}

function policyKeyProblem(key: string): string | undefined {
  if (key === DEPLOYMENT_LABEL || key === MANAGED_BY_LABEL || key.startsWith(DEPLOYFLOW_PREFIX)) {
    return 'is set by deployflow itself: a policy cannot govern it';
  }
  return isValidLabelKey(key) ? undefined : LABEL_KEY_RULE;
}

function labelRule(raw: unknown, path: string, issues: Issues): LabelRule | undefined {
  if (raw === undefined || raw === null) return {};
  if (!isMapping(raw)) return issues.add(path, 'must be a mapping with values, pattern or description (or nothing)');
  const before = issues.list.length;
  checkKnownKeys(raw, RULE_KEYS, path, issues);
  const rule: LabelRule = {};
  if (raw.values !== undefined) {
    const values = valueList(raw.values, `${path}.values`, issues);
    if (values) rule.values = values;
  }
  if (raw.pattern !== undefined) {
    const pattern = patternOf(raw.pattern, `${path}.pattern`, issues);
    if (pattern !== undefined) rule.pattern = pattern;
  }
  if (raw.values !== undefined && raw.pattern !== undefined) issues.add(path, 'must have values or pattern, not both');
  if (raw.description !== undefined) {
    if (typeof raw.description === 'string' && raw.description.trim() !== '') rule.description = raw.description.trim();
    else issues.add(`${path}.description`, 'must be a non-empty string');
  }
  return issues.list.length === before ? rule : undefined;
}

function valueList(raw: unknown, path: string, issues: Issues): string[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return issues.add(path, 'must be a non-empty list of label values');
  const values: string[] = [];
  raw.forEach((v, i) => {
    // `values: [1, 2]` reads as numbers in YAML; a label value is text either way.
    const text = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
    if (text === undefined) issues.add(`${path}[${i}]`, 'must be a string');
    else if (text === '' || !isValidLabelValue(text)) issues.add(`${path}[${i}]`, 'must be a non-empty valid label value (no app could ever match it)');
    else if (values.includes(text)) issues.add(`${path}[${i}]`, `repeats ${text}`);
    else values.push(text);
  });
  return values;
}

function patternOf(raw: unknown, path: string, issues: Issues): string | undefined {
  if (typeof raw !== 'string' || raw === '') return issues.add(path, 'must be a non-empty regular expression');
  if (raw.length > MAX_PATTERN_LENGTH) return issues.add(path, `must be at most ${MAX_PATTERN_LENGTH} characters`);
  try {
    anchored(raw);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    return issues.add(path, `is not a valid regular expression (RE2 syntax: no lookaround or backreferences): ${reason}`);
  }
  return raw;
}
