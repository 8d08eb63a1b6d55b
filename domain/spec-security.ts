// The security settings an app spec may carry, so that it can meet the restricted
// Pod Security level: a container `securityContext`, a pod-level `securityContext`
// and `serviceAccountName`. Only their shape is checked here (known keys, types),
// so a typo fails `validate`; whether the values are allowed is the worker policy's
// business (domain/worker-policy.ts), which names the rule and the policy entry.
import { isDnsSubdomain } from './labels.js';
import {
  checkInt, checkKnownKeys, cloneData, isMapping, listItems, optionalBoolean, optionalEnum, type Issues, type Mapping,
} from './spec-checks.js';

const CONTAINER_KEYS = [
  'allowPrivilegeEscalation', 'appArmorProfile', 'capabilities', 'privileged', 'procMount', 'readOnlyRootFilesystem', 'runAsGroup',
  'runAsNonRoot', 'runAsUser', 'seLinuxOptions', 'seccompProfile',
] as const;
const POD_KEYS = [
  'appArmorProfile', 'fsGroup', 'fsGroupChangePolicy', 'runAsGroup', 'runAsNonRoot', 'runAsUser', 'seLinuxOptions', 'seccompProfile',
  'supplementalGroups', 'sysctls',
] as const;
const BOOLEANS = ['allowPrivilegeEscalation', 'privileged', 'readOnlyRootFilesystem', 'runAsNonRoot'];
const IDS = ['runAsGroup', 'runAsUser', 'fsGroup'];
const ID_RANGE = { min: 0, max: 2147483647, rangeRule: 'must be 0-2147483647' };
const PROFILE_KEYS = ['type', 'localhostProfile'] as const;
const PROFILE_TYPES = ['RuntimeDefault', 'Localhost', 'Unconfined'] as const;
const SELINUX_KEYS = ['level', 'role', 'type', 'user'] as const;
const CAPABILITY = /^[A-Z][A-Z0-9_]*$/;

/** A container's `securityContext`, or undefined (after recording issues) when absent or broken. */
export function validateContainerSecurity(v: unknown, path: string, issues: Issues): Mapping | undefined {
  return validateContext(v, path, CONTAINER_KEYS, issues);
}

/** The pod-level `securityContext`. */
export function validatePodSecurity(v: unknown, issues: Issues): Mapping | undefined {
  return validateContext(v, 'securityContext', POD_KEYS, issues);
}

/** `serviceAccountName`: a ServiceAccount name (a DNS subdomain). */
export function validateServiceAccountName(v: unknown, issues: Issues): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return issues.add('serviceAccountName', 'must be a string');
  return isDnsSubdomain(v) ? v : issues.add('serviceAccountName', "must be a DNS subdomain: at most 253 characters of lowercase letters, digits, '-' and '.'");
}

function validateContext(v: unknown, path: string, keys: readonly string[], issues: Issues): Mapping | undefined {
  if (v === undefined) return undefined;
  if (!isMapping(v)) return issues.add(path, 'must be a mapping');
  const before = issues.list.length;
  checkKnownKeys(v, keys, path, issues);
  for (const key of BOOLEANS) if (key in v) optionalBoolean(v[key], `${path}.${key}`, false, issues);
  for (const key of IDS) if (key in v) checkInt(v[key], `${path}.${key}`, ID_RANGE, issues);
  if ('procMount' in v) optionalEnum(v.procMount, `${path}.procMount`, ['Default', 'Unmasked'] as const, 'Default', issues);
  if ('fsGroupChangePolicy' in v) optionalEnum(v.fsGroupChangePolicy, `${path}.fsGroupChangePolicy`, ['OnRootMismatch', 'Always'] as const, 'Always', issues);
  for (const key of ['seccompProfile', 'appArmorProfile']) if (key in v) profile(v[key], `${path}.${key}`, issues);
  if ('seLinuxOptions' in v) stringFields(v.seLinuxOptions, `${path}.seLinuxOptions`, SELINUX_KEYS, issues);
  if ('capabilities' in v) capabilities(v.capabilities, `${path}.capabilities`, issues);
  if ('supplementalGroups' in v) {
    listItems(v.supplementalGroups, `${path}.supplementalGroups`, issues).forEach((g, i) => checkInt(g, `${path}.supplementalGroups[${i}]`, ID_RANGE, issues));
  }
  if ('sysctls' in v) sysctls(v.sysctls, `${path}.sysctls`, issues);
  return issues.list.length === before ? cloneData(v) : undefined;
}

function profile(v: unknown, path: string, issues: Issues): void {
  if (!isMapping(v)) return void issues.add(path, 'must be a mapping with type (and localhostProfile for Localhost)');
  checkKnownKeys(v, PROFILE_KEYS, path, issues);
  if (v.type === undefined) issues.add(`${path}.type`, 'is required');
  else optionalEnum(v.type, `${path}.type`, PROFILE_TYPES, 'RuntimeDefault', issues);
  if (v.type === 'Localhost' && typeof v.localhostProfile !== 'string') issues.add(`${path}.localhostProfile`, 'is required when type is Localhost');
  else if (v.localhostProfile !== undefined && v.type !== 'Localhost') issues.add(`${path}.localhostProfile`, 'is only for type Localhost');
}

function stringFields(v: unknown, path: string, keys: readonly string[], issues: Issues): void {
  if (!isMapping(v)) return void issues.add(path, 'must be a mapping');
  checkKnownKeys(v, keys, path, issues);
  for (const key of keys) if (v[key] !== undefined && typeof v[key] !== 'string') issues.add(`${path}.${key}`, 'must be a string');
}

function capabilities(v: unknown, path: string, issues: Issues): void {
  if (!isMapping(v)) return void issues.add(path, 'must be a mapping with add and drop');
  checkKnownKeys(v, ['add', 'drop'], path, issues);
  for (const key of ['add', 'drop']) {
    listItems(v[key], `${path}.${key}`, issues).forEach((cap, i) => {
      if (typeof cap !== 'string' || !CAPABILITY.test(cap)) issues.add(`${path}.${key}[${i}]`, 'must be a capability name such as NET_BIND_SERVICE or ALL');
    });
  }
}

function sysctls(v: unknown, path: string, issues: Issues): void {
  listItems(v, path, issues).forEach((s, i) => {
    const at = `${path}[${i}]`;
    if (!isMapping(s)) return issues.add(at, 'must be a mapping with name and value');
    checkKnownKeys(s, ['name', 'value'], at, issues);
    if (typeof s.name !== 'string' || s.name === '') issues.add(`${at}.name`, 'must be a sysctl name');
    if (typeof s.value !== 'string') issues.add(`${at}.value`, 'must be a string');
    return undefined;
  });
}
