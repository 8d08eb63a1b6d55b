// The app spec (DESIGN.md §2): one YAML file per app. validateAppSpec is the single
// gate between user input and everything that touches a cluster (I7): it reports every
// problem at once and returns a complete spec with all defaults filled in, so the rest
// of the code never guesses at a missing field.
import { InvalidSpecError } from './errors.js';
import { isDns1035Label, isDnsLabel, isValidLabelValue } from './labels.js';
import { Issues, checkKnownKeys, checkString, isMapping, optionalBoolean, optionalInt, type Mapping } from './spec-checks.js';
import { validateContainers } from './spec-containers.js';
import { checkDataShape } from './spec-shape.js';
import { validateSpecLabels } from './spec-labels.js';
import { validatePodSecurity, validateServiceAccountName } from './spec-security.js';
import { validateStrategy } from './spec-strategy.js';
import { DNS_LABEL_RULE, validateVolumes } from './spec-volumes.js';
import type { EnvValue } from './spec-env.js';

export type { EnvRef, EnvValue, KeyRef } from './spec-env.js';

export interface PortSpec {
  name?: string;
  containerPort: number;
  hostPort?: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface VolumeMountSpec {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface ContainerSpec {
  name: string;
  /** Repository only; the deploy request supplies the tag or digest. */
  image: string;
  ports: PortSpec[];
  /** Inline values, or `{ secretKeyRef }` / `{ configMapKeyRef }` rendered as `valueFrom`. */
  env: Record<string, EnvValue>;
  readinessProbe?: Record<string, unknown>;
  resources?: Record<string, unknown>;
  /** Kubernetes' container SecurityContext (shape checked; the worker policy judges the values). */
  securityContext?: Record<string, unknown>;
  volumeMounts: VolumeMountSpec[];
}

/** Passed through to the pod spec as written. */
export type VolumeSpec = { name: string } & Record<string, unknown>;

export interface StrategySpec {
  /** Integer or percentage string such as "25%". */
  maxSurge: number | string;
  maxUnavailable: number | string;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
  onFailure: 'rollback' | 'wait';
  decisionTimeoutSeconds: number;
  approval: 'none' | 'after-first-step';
  /** How long the approval gate waits before rolling back (absent: HOLD_DEFAULTS; kept absent so older RCs' specs are unchanged). */
  approvalTimeoutSeconds?: number;
  /** How long a pause may hold before the deploy rolls back (absent: HOLD_DEFAULTS). */
  maxPauseSeconds?: number;
}

export interface AppSpec {
  name: string;
  app: string;
  tier: string;
  role: string;
  language?: string;
  /** Extra pod labels (a label policy may require some); absent when the spec has none. */
  labels?: Record<string, string>;
  namespace: string;
  replicas: number;
  containers: ContainerSpec[];
  volumes: VolumeSpec[];
  perNode: boolean;
  strategy: StrategySpec;
  revisionHistoryLimit: number;
  /** Pod-level SecurityContext; absent when the spec has none (so older specs hash as they did). */
  securityContext?: Record<string, unknown>;
  /** The ServiceAccount the pods run as; absent: the namespace's `default`. */
  serviceAccountName?: string;
}

const TOP_LEVEL_KEYS = [
  'name', 'app', 'tier', 'role', 'language', 'labels', 'namespace', 'replicas', 'containers', 'volumes', 'perNode', 'strategy',
  'revisionHistoryLimit', 'securityContext', 'serviceAccountName',
] as const;

/** The RC is named `<name>-<8 hex>`, and Kubernetes object names stop at 63. */
export const MAX_NAME_LENGTH = 54;
export const MAX_REPLICAS = 10000;
const REPLICAS_RANGE = { min: 0, max: MAX_REPLICAS };
const LABEL_VALUE_RULE =
  "must be a valid label value: at most 63 characters, letters and digits at both ends, '-', '_', '.', letters and digits inside";

/** Checks raw (parsed YAML/JSON) input; throws InvalidSpecError listing every issue. */
export function validateAppSpec(raw: unknown): AppSpec {
  if (!isMapping(raw)) throw new InvalidSpecError([{ field: 'spec', rule: 'must be a mapping' }]);
  // First, alone: the checks below copy pass-through data, which a recursive or exploding input would hang.
  const shape = checkDataShape(raw);
  if (shape) throw new InvalidSpecError([shape]);
  const issues = new Issues();
  checkKnownKeys(raw, TOP_LEVEL_KEYS, '', issues);

  const name = appName(raw.name, issues);
  const [app, tier, role] = (['app', 'tier', 'role'] as const).map((key) => requiredLabel(raw[key], key, issues));
  const language = optionalLabel(raw.language, 'language', issues);
  const labels = validateSpecLabels(raw.labels, issues);
  const namespace = namespaceOf(raw.namespace, issues);
  const replicas = optionalInt(raw.replicas, 'replicas', REPLICAS_RANGE, 1, issues);
  const volumes = validateVolumes(raw.volumes, issues);
  const containers = validateContainers(raw.containers, new Set(volumes.map((v) => v.name)), issues);
  const perNode = optionalBoolean(raw.perNode, 'perNode', false, issues) ?? false;
  if (perNode) checkHostPort(raw, issues);
  else refuseHostPorts(raw, issues);
  const strategy = validateStrategy(raw.strategy, { replicas, perNode }, issues);
  const revisionHistoryLimit = optionalInt(raw.revisionHistoryLimit, 'revisionHistoryLimit', { min: 0, max: 50 }, 2, issues);
  const securityContext = validatePodSecurity(raw.securityContext, issues);
  const serviceAccountName = validateServiceAccountName(raw.serviceAccountName, issues);

  if (issues.list.length > 0) throw new InvalidSpecError(issues.list);
  return {
    name: name ?? '',
    app: app ?? '',
    tier: tier ?? '',
    role: role ?? '',
    ...(language && { language }),
    ...(labels && { labels }),
    namespace: namespace ?? 'default',
    replicas: replicas ?? 1,
    containers,
    volumes,
    perNode,
    strategy,
    revisionHistoryLimit: revisionHistoryLimit ?? 2,
    ...(securityContext && { securityContext }),
    ...(serviceAccountName !== undefined && { serviceAccountName }),
  };
}

/** Applies deploy-time overrides (e.g. `--replicas`) and re-checks the result with the same rules. */
export function applyOverrides(spec: AppSpec, o: { replicas?: number }): AppSpec {
  return validateAppSpec({ ...spec, ...(o.replicas !== undefined && { replicas: o.replicas }) });
}

function appName(v: unknown, issues: Issues): string | undefined {
  const name = checkString(v, 'name', issues);
  if (name === undefined) return undefined;
  if (name.length > MAX_NAME_LENGTH) {
    return issues.add('name', `must be at most ${MAX_NAME_LENGTH} characters (the RC name appends "-" and an 8-character hash, and must stay within 63)`);
  }
  if (!isDns1035Label(name, MAX_NAME_LENGTH)) {
    return issues.add('name', "must be a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit");
  }
  return name;
}

function requiredLabel(v: unknown, field: string, issues: Issues): string | undefined {
  const value = checkString(v, field, issues);
  if (value === undefined) return undefined;
  if (value === '') return issues.add(field, 'must not be empty');
  return isValidLabelValue(value) ? value : issues.add(field, LABEL_VALUE_RULE);
}

/** An empty optional label is the same as leaving it out: no `language=` label is written. */
function optionalLabel(v: unknown, field: string, issues: Issues): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return issues.add(field, 'must be a string');
  return isValidLabelValue(v) ? v : issues.add(field, LABEL_VALUE_RULE);
}

function namespaceOf(v: unknown, issues: Issues): string | undefined {
  if (v === undefined) return 'default';
  const namespace = checkString(v, 'namespace', issues);
  if (namespace === undefined) return undefined;
  return isDnsLabel(namespace) ? namespace : issues.add('namespace', DNS_LABEL_RULE);
}

// One pod per node relies on the scheduler refusing two pods with the same hostPort on a node.
function checkHostPort(raw: Mapping, issues: Issues): void {
  const containers = Array.isArray(raw.containers) ? raw.containers : [];
  const hasHostPort = containers.some(
    (c) => isMapping(c) && Array.isArray(c.ports) && c.ports.some((p) => isMapping(p) && p.hostPort !== undefined),
  );
  if (!hasHostPort) issues.add('perNode', 'requires a hostPort on at least one container port');
}

// A host port allows one such pod per node, which is what per-node agents are for; on
// any other app it is a way out of the pod's network (and a second replica never schedules).
function refuseHostPorts(raw: Mapping, issues: Issues): void {
  const containers = Array.isArray(raw.containers) ? raw.containers : [];
  containers.forEach((c, i) => {
    if (!isMapping(c) || !Array.isArray(c.ports)) return;
    c.ports.forEach((p, j) => {
      if (isMapping(p) && p.hostPort !== undefined) issues.add(`containers[${i}].ports[${j}].hostPort`, 'requires perNode: true (host ports are for per-node agents only)');
    });
  });
}
