// The worker's own policy (DESIGN §7): what this environment's worker agrees to
// write, whatever reaches its task queue. The worker is started with a policy file;
// without one it uses DEFAULT_WORKER_POLICY. Every refusal names the field, the rule
// and the policy entry (`policy` of the SpecIssue).
//
// The names and signatures below are what checkDeploy, the admission activity and
// the mutating activities call; the template walk lives in worker-policy-template.ts.
import { InvalidSpecError, type SpecIssue } from './errors.js';
import { APP_PLACEHOLDER, matchesAny } from './glob.js';
import { parseQuantity } from './quantity.js';
import { Issues, checkKnownKeys, isMapping, type Mapping } from './spec-checks.js';
import { checkDataShape } from './spec-shape.js';
import { MAX_REPLICAS } from './spec.js';
import { VOLUME_SOURCES } from './spec-volumes.js';
import { checkTemplate } from './worker-policy-template.js';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface WorkerPolicy {
  /** Namespaces this worker may deploy into: glob patterns (`*`); deny wins over allow. */
  namespaces: { allow: string[]; deny: string[] };
  /** Image repositories (glob patterns) and whether a digest is required. */
  images: { repositories: string[]; requireDigest: boolean };
  /** Volume source types an app may use. */
  volumes: { types: string[] };
  /** Secrets and configMaps an app may mount or reference; `{app}` stands for the app's name. */
  references: { secrets: string[]; configMaps: string[] };
  /** Service accounts pods may run as (glob patterns; `default` when the spec names none). */
  serviceAccounts: string[];
  /** Per-container ceilings (Kubernetes quantities); absent: no ceiling. */
  resources: { maxCpu?: string; maxMemory?: string };
  maxReplicas: number;
  /** The Pod Security Standard level pods must meet (a policy file may not ask for `privileged`). */
  podSecurity: PodSecurityLevel;
  /** An inline env value whose name looks like a credential: refused, or only warned about. */
  inlineCredentials: 'refuse' | 'warn';
}

export type PolicyIssue = SpecIssue & { policy: string };

export const DEFAULT_WORKER_POLICY: WorkerPolicy = {
  namespaces: { allow: ['*'], deny: ['kube-*'] },
  images: { repositories: ['*'], requireDigest: false },
  volumes: { types: ['configMap', 'secret', 'emptyDir', 'projected', 'downwardAPI', 'persistentVolumeClaim'] },
  references: { secrets: ['environment', '{app}', '{app}-*'], configMaps: ['{app}', '{app}-*'] },
  serviceAccounts: ['default', '{app}'],
  resources: {},
  maxReplicas: 10000,
  podSecurity: 'baseline',
  inlineCredentials: 'refuse',
};

/** Never deployed into, whatever a policy file allows: the cluster's own namespaces. */
export const RESERVED_NAMESPACES = ['kube-*'];
/** Volume types no policy may allow: each hands the pod the node (hostPath, flexVolume) or runs git on it (gitRepo). */
export const NEVER_ALLOWED_VOLUMES = ['hostPath', 'gitRepo', 'flexVolume'];

const POLICY_KEYS = [
  'namespaces', 'images', 'volumes', 'references', 'serviceAccounts', 'resources', 'maxReplicas', 'podSecurity', 'inlineCredentials',
] as const;
const MAX_PATTERNS = 1000;
const MAX_PATTERN_LENGTH = 253;
// What each kind of name may hold, plus `*`; `{app}` is checked apart.
const NAME_PATTERN = /^[a-z0-9.*-]+$/;
const IMAGE_PATTERN = /^[A-Za-z0-9._:/@*-]+$/;

/** Checks a parsed policy document (YAML) and returns it complete; throws InvalidSpecError naming each problem. */
export function parseWorkerPolicy(raw: unknown): WorkerPolicy {
  if (raw === undefined || raw === null) return structuredClone(DEFAULT_WORKER_POLICY);
  if (!isMapping(raw)) throw new InvalidSpecError([{ field: 'policy', rule: `must be a mapping with ${POLICY_KEYS.join(', ')}` }]);
  const shape = checkDataShape(raw);
  if (shape) throw new InvalidSpecError([shape]);
  const issues = new Issues();
  const d = DEFAULT_WORKER_POLICY;
  checkKnownKeys(raw, POLICY_KEYS, '', issues);

  const namespaces = section(raw, 'namespaces', ['allow', 'deny'], issues);
  const images = section(raw, 'images', ['repositories', 'requireDigest'], issues);
  const volumes = section(raw, 'volumes', ['types'], issues);
  const references = section(raw, 'references', ['secrets', 'configMaps'], issues);
  const resources = section(raw, 'resources', ['maxCpu', 'maxMemory'], issues);
  const policy: WorkerPolicy = {
    namespaces: {
      allow: patterns(namespaces.allow, 'namespaces.allow', { chars: NAME_PATTERN, app: false, nonEmpty: true }, issues) ?? d.namespaces.allow,
      deny: patterns(namespaces.deny, 'namespaces.deny', { chars: NAME_PATTERN, app: false, nonEmpty: false }, issues) ?? d.namespaces.deny,
    },
    images: {
      repositories: patterns(images.repositories, 'images.repositories', { chars: IMAGE_PATTERN, app: true, nonEmpty: true }, issues)
        ?? d.images.repositories,
      requireDigest: flag(images.requireDigest, 'images.requireDigest', issues) ?? d.images.requireDigest,
    },
    volumes: { types: volumeTypes(volumes.types, issues) ?? d.volumes.types },
    references: {
      secrets: patterns(references.secrets, 'references.secrets', { chars: NAME_PATTERN, app: true, nonEmpty: false }, issues)
        ?? d.references.secrets,
      configMaps: patterns(references.configMaps, 'references.configMaps', { chars: NAME_PATTERN, app: true, nonEmpty: false }, issues)
        ?? d.references.configMaps,
    },
    serviceAccounts: patterns(raw.serviceAccounts, 'serviceAccounts', { chars: NAME_PATTERN, app: true, nonEmpty: true }, issues)
      ?? d.serviceAccounts,
    resources: {
      ...ceiling(resources.maxCpu, 'maxCpu', issues),
      ...ceiling(resources.maxMemory, 'maxMemory', issues),
    },
    maxReplicas: replicaCeiling(raw.maxReplicas, issues) ?? d.maxReplicas,
    podSecurity: level(raw.podSecurity, issues) ?? d.podSecurity,
    inlineCredentials: oneOf(raw.inlineCredentials, 'inlineCredentials', ['refuse', 'warn'] as const, issues) ?? d.inlineCredentials,
  };
  if (issues.list.length > 0) throw new InvalidSpecError(issues.list);
  return policy;
}

/** Refuses a namespace outside `namespaces` (and always the cluster's own `kube-*`). */
export function checkNamespace(namespace: string, policy: WorkerPolicy): PolicyIssue | undefined {
  const refuse = (rule: string): PolicyIssue => ({ field: 'namespace', rule, policy: 'namespaces' });
  if (typeof namespace !== 'string' || namespace === '') return refuse('must be a namespace name');
  if (matchesAny(RESERVED_NAMESPACES, namespace)) return refuse(`is reserved for the cluster itself (${RESERVED_NAMESPACES.join(', ')}): this worker never deploys there`);
  if (matchesAny(policy.namespaces.deny, namespace)) return refuse(`is denied to this worker (denied: ${policy.namespaces.deny.join(', ')})`);
  if (!matchesAny(policy.namespaces.allow, namespace)) return refuse(`is not a namespace this worker deploys into (allowed: ${policy.namespaces.allow.join(', ')})`);
  return undefined;
}

export interface PolicySubject {
  namespace: string;
  /** The app's name (`{app}` in patterns). */
  app: string;
  perNode: boolean;
  replicas: number;
  /**
   * The pod template exactly as it would be written (or as a caller sent it: it is
   * untrusted, so any shape). Issues name fields as the app spec does
   * (`containers[0].image`, `volumes[1].hostPath`, `hostNetwork`), the spec's
   * containers and volumes keeping their indices in the template.
   */
  template: unknown;
}

/** Every way the subject breaks the policy (namespace, images, volumes, references, pod security, ceilings). */
export function checkWorkerPolicy(subject: PolicySubject, policy: WorkerPolicy): PolicyIssue[] {
  return [...subjectIssues(subject, policy), ...checkTemplate(subject, policy).filter((i) => i.policy !== 'inlineCredentials' || policy.inlineCredentials === 'refuse')];
}

/** What the policy only warns about (inline credentials under `inlineCredentials: warn`), for logs and the client. */
export function policyWarnings(subject: PolicySubject, policy: WorkerPolicy): PolicyIssue[] {
  if (policy.inlineCredentials === 'refuse') return [];
  return checkTemplate(subject, policy).filter((i) => i.policy === 'inlineCredentials');
}

function subjectIssues(subject: PolicySubject, policy: WorkerPolicy): PolicyIssue[] {
  const s: Partial<Record<keyof PolicySubject, unknown>> = isMapping(subject) ? subject : {};
  const issues: PolicyIssue[] = [];
  const namespace = checkNamespace(s.namespace as string, policy);
  if (namespace) issues.push(namespace);
  const { replicas } = s;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    issues.push({ field: 'replicas', rule: 'must be an integer >= 0', policy: 'maxReplicas' });
  } else if (replicas > policy.maxReplicas) {
    issues.push({ field: 'replicas', rule: `must be at most ${policy.maxReplicas}`, policy: 'maxReplicas' });
  }
  return issues;
}

// ---- parsing helpers ----

function section(raw: Mapping, key: string, keys: readonly string[], issues: Issues): Mapping {
  const v = raw[key];
  if (v === undefined || v === null) return {};
  if (!isMapping(v)) {
    issues.add(key, `must be a mapping with ${keys.join(', ')}`);
    return {};
  }
  checkKnownKeys(v, keys, key, issues);
  return v;
}

interface PatternRules {
  chars: RegExp;
  /** `{app}` may appear. */
  app: boolean;
  /** An empty list would refuse everything: refused. */
  nonEmpty: boolean;
}

function patterns(v: unknown, field: string, rules: PatternRules, issues: Issues): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return issues.add(field, 'must be a list of patterns');
  if (rules.nonEmpty && v.length === 0) return issues.add(field, 'must list at least one pattern (an empty list would refuse every deploy)');
  if (v.length > MAX_PATTERNS) return issues.add(field, `must list at most ${MAX_PATTERNS} patterns`);
  const before = issues.list.length;
  v.forEach((p, i) => {
    const at = `${field}[${i}]`;
    if (typeof p !== 'string' || p === '') return issues.add(at, 'must be a non-empty string');
    if (p.length > MAX_PATTERN_LENGTH) return issues.add(at, `must be at most ${MAX_PATTERN_LENGTH} characters`);
    const bare = rules.app ? p.split(APP_PLACEHOLDER).join('') : p;
    if (bare !== '' && !rules.chars.test(bare)) {
      const app = rules.app ? `, ${APP_PLACEHOLDER} for the app's name` : '';
      return issues.add(at, `must be a name with * as a wildcard${app} (no other pattern syntax)`);
    }
    return undefined;
  });
  return issues.list.length === before ? (v as string[]).slice() : undefined;
}

function flag(v: unknown, field: string, issues: Issues): boolean | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'boolean' ? v : issues.add(field, 'must be true or false');
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], issues: Issues): T | undefined {
  if (v === undefined) return undefined;
  return (allowed as readonly unknown[]).includes(v) ? (v as T) : issues.add(field, `must be one of ${allowed.join(', ')}`);
}

function level(v: unknown, issues: Issues): PodSecurityLevel | undefined {
  if (v === 'privileged') return issues.add('podSecurity', 'must be baseline or restricted: this worker never writes privileged pods');
  return oneOf(v, 'podSecurity', ['baseline', 'restricted'] as const, issues);
}

function volumeTypes(v: unknown, issues: Issues): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return issues.add('volumes.types', 'must be a list of volume types');
  const before = issues.list.length;
  v.forEach((t, i) => {
    const at = `volumes.types[${i}]`;
    if (NEVER_ALLOWED_VOLUMES.includes(t as string)) issues.add(at, `is never allowed (${NEVER_ALLOWED_VOLUMES.join(', ')} give a pod the node)`);
    else if (!(VOLUME_SOURCES as readonly unknown[]).includes(t)) issues.add(at, `must be a Kubernetes volume type (${VOLUME_SOURCES.join(', ')})`);
  });
  return issues.list.length === before ? [...new Set(v as string[])] : undefined;
}

function ceiling(v: unknown, key: 'maxCpu' | 'maxMemory', issues: Issues): Record<string, string> {
  if (v === undefined || v === null) return {};
  const field = `resources.${key}`;
  const text = typeof v === 'number' ? String(v) : v;
  const q = parseQuantity(text);
  if (typeof text !== 'string' || !q) return issues.add(field, 'must be a Kubernetes quantity such as 2, 500m, 4Gi') ?? {};
  if (q.num <= 0n) return issues.add(field, 'must be more than 0') ?? {};
  return { [key]: text };
}

function replicaCeiling(v: unknown, issues: Issues): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) return issues.add('maxReplicas', 'must be an integer');
  if (v < 1 || v > MAX_REPLICAS) return issues.add('maxReplicas', `must be 1-${MAX_REPLICAS}`);
  return v;
}
