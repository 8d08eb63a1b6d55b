// The crafted workflow inputs of the hostile tier, one per rule: data, read by
// one runner (hostile.test.ts). Each is a `deploy` workflow started directly on
// Temporal, bypassing deployctl and its checks, as anyone with access to the
// Temporal namespace could. Each must be refused naming the field and the rule
// (and the worker-policy entry where one applies), end, write nothing, and leave
// the app's lock free.
import { workflowIdFor } from '../../domain/names.js';
import { validateAppSpec } from '../../domain/spec.js';
import { edit, sampleRaw } from '../unit/spec-fixture.js';

export const APP = 'awesome-api';
export const REQUESTED_BY = 'hostile-tier';
export const TAG_IMAGE = 'registry.example/awesome-api:1.0.0';
export const DIGEST_IMAGE = `registry.example/awesome-api@sha256:${'ab'.repeat(32)}`;

/** Where a case's deploy aims: a namespace of its own, unless it is about the namespace. */
export type Target = 'fresh' | 'kube-system' | 'kube-public' | 'outside';
/**
 * The workers: in-process ones with the policy of test/fixtures/hostile/policy.yaml
 * (baseline) or restricted.yaml, and `isolated`, a worker process of its own with
 * the default policy, for inputs that may hang the process that checks them.
 */
export type WorkerName = 'baseline' | 'restricted' | 'isolated';

export interface InputContext {
  namespace: string;
  /** The environment of the case's worker (its task queue is `deploy-<environment>`). */
  environment: string;
  /** The other worker's environment. */
  otherEnvironment: string;
  image: string;
}

export interface InputCase {
  id: string;
  attack: string;
  /** The rule that must refuse it, for the table. */
  rule: string;
  worker?: WorkerName;
  target?: Target;
  /** What must end it: a refusal (default), or a real deploy (a valid input or a control). */
  outcome?: 'refused' | 'deploys';
  /** The refusal must match every one of these (the field, the rule). */
  expect: RegExp[];
  /** The worker-policy entry the refusal must name: `(policy <entry>)`. */
  policy?: string;
  input(c: InputContext): unknown;
  workflowId?(c: InputContext): string;
  /** The task queue it is started on, when not its worker's. */
  taskQueue?(c: InputContext): string;
  /** Prepares the cluster as an attacker would (runs as the admin, before counting writes). */
  setup?: 'forged-kept-rc';
}

type Mapping = Record<string, unknown>;

/** The example spec as the client sends it (validated, defaults filled in), in the case's namespace. */
export function baseSpec(namespace: string): Mapping {
  // The unit tests' sample spec, sized for this tier: bounded resources (the policy caps them), two replicas, quick strategy.
  return validateAppSpec(
    edit(sampleRaw(), {
      name: APP,
      namespace,
      replicas: 2,
      'containers[0].resources': { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      'strategy.minReadySeconds': 0,
      'strategy.progressDeadlineSeconds': 15,
    }),
  ) as unknown as Mapping;
}

/** A deploy input of the base spec changed by `edit`. */
function deployOf(edit: (spec: Mapping, container: Mapping) => void, extra: Mapping = {}) {
  return (c: InputContext): Mapping => {
    const spec = baseSpec(c.namespace);
    edit(spec, (spec.containers as Mapping[])[0]!);
    return { spec, environment: c.environment, image: c.image, requestedBy: REQUESTED_BY, ...extra };
  };
}

const volume = (v: Mapping) =>
  deployOf((spec, container) => {
    spec.volumes = [v];
    container.volumeMounts = [{ name: v.name, mountPath: '/mnt/x' }];
  });
const securityContext = (sc: Mapping) => deployOf((_, container) => (container.securityContext = sc));
const resources = (r: Mapping) => deployOf((_, container) => (container.resources = r));
const FIELD_V0 = /volumes\[0\]/;

export const INPUT_CASES: InputCase[] = [
  // Volumes and what they reference.
  { id: 'hostpath-root', attack: 'hostPath volume mounting / read-write', rule: 'volume types', expect: [FIELD_V0, /hostPath/], policy: 'volumes.types',
    input: volume({ name: 'host', hostPath: { path: '/' } }) },
  { id: 'gitrepo', attack: 'gitRepo volume (runs git on the node)', rule: 'volume types', expect: [FIELD_V0, /gitRepo/], policy: 'volumes.types',
    input: volume({ name: 'src', gitRepo: { repository: 'https://git.example/evil.git' } }) },
  { id: 'flexvolume', attack: 'flexVolume (a driver binary on the node)', rule: 'volume types', expect: [FIELD_V0, /flexVolume/], policy: 'volumes.types',
    input: volume({ name: 'fx', flexVolume: { driver: 'evil.example/driver' } }) },
  { id: 'nfs', attack: 'nfs volume from any server', rule: 'volume types', expect: [FIELD_V0, /nfs/], policy: 'volumes.types',
    input: volume({ name: 'share', nfs: { server: '10.0.0.9', path: '/exports' } }) },
  { id: 'csi', attack: 'inline csi volume of any driver', rule: 'volume types', expect: [FIELD_V0, /csi/], policy: 'volumes.types',
    input: volume({ name: 'c', csi: { driver: 'evil.csi.example' } }) },
  { id: 'secret-other-app', attack: "secret volume of another app's credentials", rule: 'referenced secrets', expect: [/volumes\[0\]\.secret\.secretName/],
    policy: 'references.secrets', input: volume({ name: 'creds', secret: { secretName: 'billing-db-credentials' } }) },
  { id: 'projected-secret-other-app', attack: "another app's secret inside a projected volume", rule: 'referenced secrets', expect: [/volumes\[0\]\.projected/],
    policy: 'references.secrets', input: volume({ name: 'p', projected: { sources: [{ secret: { name: 'billing-db-credentials' } }] } }) },
  { id: 'configmap-other-app', attack: "configMap volume of another app", rule: 'referenced configMaps', expect: [/volumes\[0\]\.configMap\.name/],
    policy: 'references.configMaps', input: volume({ name: 'cfg', configMap: { name: 'billing-config' } }) },

  // Ports and probes.
  { id: 'hostport-without-pernode', attack: 'hostPort on an ordinary app', rule: 'hostPort only with perNode', expect: [/containers\[0\]\.ports\[0\]\.hostPort/, /perNode/],
    input: deployOf((_, c) => (c.ports = [{ name: 'http', containerPort: 8080, hostPort: 8080 }])) },
  { id: 'probe-host-metadata', attack: 'readiness probe aimed at the cloud metadata service', rule: 'no probe host', expect: [/containers\[0\]\.readinessProbe\.httpGet\.host/], policy: 'podSecurity',
    input: deployOf((_, c) => (c.readinessProbe = { httpGet: { path: '/latest/meta-data/', port: 80, host: '169.254.169.254' } })) },
  { id: 'probe-host-tcp', attack: 'tcpSocket probe scanning the apiserver', rule: 'no probe host', expect: [/containers\[0\]\.readinessProbe\.tcpSocket\.host/], policy: 'podSecurity',
    input: deployOf((_, c) => (c.readinessProbe = { tcpSocket: { host: '10.96.0.1', port: 443 } })) },

  // Namespaces.
  { id: 'namespace-kube-system', attack: 'deploy into kube-system', rule: 'allowed namespaces', target: 'kube-system', expect: [/namespace: /, /kube-\*/],
    policy: 'namespaces', input: deployOf(() => {}) },
  { id: 'namespace-kube-public', attack: 'deploy into kube-public', rule: 'allowed namespaces', target: 'kube-public', expect: [/namespace: /, /kube-\*/],
    policy: 'namespaces', input: deployOf(() => {}) },
  { id: 'namespace-outside-policy', attack: "deploy into another team's namespace", rule: 'allowed namespaces', target: 'outside', expect: [/namespace: /],
    policy: 'namespaces', input: deployOf(() => {}) },

  // Images.
  { id: 'registry-disallowed', attack: 'an image from a registry the policy does not list', rule: 'allowed repositories', expect: [/image/, /evil\.example\/miner/],
    policy: 'images.repositories',
    input: deployOf((_, c) => (c.image = 'evil.example/miner'), { image: 'evil.example/miner:1.0.0' }) },
  { id: 'digest-missing', attack: 'a tag where the policy requires a digest', rule: 'digest required', worker: 'restricted', expect: [/image/, /digest/],
    policy: 'images.requireDigest', input: deployOf(() => {}, { image: TAG_IMAGE }) },

  // Resources and size.
  { id: 'cpu-over-ceiling', attack: 'a cpu limit over the ceiling', rule: 'cpu ceiling', expect: [/containers\[0\]\.resources/, /cpu/], policy: 'resources.maxCpu',
    input: resources({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '64', memory: '256Mi' } }) },
  { id: 'memory-over-ceiling', attack: 'a memory limit over the ceiling', rule: 'memory ceiling', expect: [/containers\[0\]\.resources/, /memory/],
    policy: 'resources.maxMemory', input: resources({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Gi' } }) },
  { id: 'cpu-unbounded', attack: 'no cpu limit at all', rule: 'cpu ceiling', expect: [/containers\[0\]\.resources/, /cpu/], policy: 'resources.maxCpu',
    input: resources({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } }) },
  { id: 'memory-unbounded', attack: 'no memory limit at all', rule: 'memory ceiling', expect: [/containers\[0\]\.resources/, /memory/],
    policy: 'resources.maxMemory', input: resources({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m' } }) },
  { id: 'replicas-over-ceiling', attack: 'replicas over the ceiling', rule: 'replica ceiling', expect: [/replicas/], policy: 'maxReplicas',
    input: deployOf((s) => (s.replicas = 50)) },

  // Pod security, smuggled into the spec.
  { id: 'service-account', attack: 'run as a powerful service account', rule: 'allowed service accounts', expect: [/serviceAccountName/], policy: 'serviceAccounts',
    input: deployOf((s) => (s.serviceAccountName = 'cluster-admin')) },
  { id: 'privileged', attack: 'a privileged container', rule: 'pod security: privileged', expect: [/containers\[0\]\.securityContext\.privileged/], policy: 'podSecurity', input: securityContext({ privileged: true }) },
  { id: 'capability-sys-admin', attack: 'an added capability (SYS_ADMIN)', rule: 'pod security: capabilities', expect: [/containers\[0\]\.securityContext\.capabilities\.add\[0\]/], policy: 'podSecurity',
    input: securityContext({ capabilities: { add: ['SYS_ADMIN'] } }) },
  { id: 'host-network', attack: 'hostNetwork smuggled in the spec', rule: 'pod security: host namespaces', expect: [/hostNetwork/],
    input: deployOf((s) => (s.hostNetwork = true)) },
  { id: 'host-pid', attack: 'hostPID smuggled in the spec', rule: 'pod security: host namespaces', expect: [/hostPID/], input: deployOf((s) => (s.hostPID = true)) },
  { id: 'host-ipc', attack: 'hostIPC smuggled in the spec', rule: 'pod security: host namespaces', expect: [/hostIPC/], input: deployOf((s) => (s.hostIPC = true)) },
  { id: 'run-as-root', attack: 'runAsUser 0 under restricted', rule: 'pod security restricted: non-root', worker: 'restricted',
    expect: [/containers\[0\]\.securityContext\.(runAsUser|runAsNonRoot)/], policy: 'podSecurity', input: securityContext({ runAsUser: 0 }) },
  { id: 'privilege-escalation', attack: 'allowPrivilegeEscalation under restricted', rule: 'pod security restricted: no escalation', worker: 'restricted',
    expect: [/containers\[0\]\.securityContext\.allowPrivilegeEscalation/], policy: 'podSecurity', input: securityContext({ allowPrivilegeEscalation: true }) },
  { id: 'seccomp-unconfined', attack: 'seccomp profile Unconfined', rule: 'pod security: seccomp', expect: [/containers\[0\]\.securityContext\.seccompProfile/], policy: 'podSecurity',
    input: securityContext({ seccompProfile: { type: 'Unconfined' } }) },
  { id: 'sysctls', attack: 'an unsafe sysctl (kernel.core_pattern)', rule: 'pod security: sysctls', expect: [/securityContext\.sysctls\[0\]/], policy: 'podSecurity',
    input: deployOf((s) => (s.securityContext = { sysctls: [{ name: 'kernel.core_pattern', value: '|/tmp/evil' }] })) },
  { id: 'init-container', attack: 'a privileged init container smuggled in the spec', rule: 'spec schema', expect: [/initContainers/],
    input: deployOf((s) => (s.initContainers = [{ name: 'x', image: 'evil.example/x:1', securityContext: { privileged: true } }])) },
  { id: 'inline-credential', attack: 'a password inline in env', rule: 'inline credentials', expect: [/DB_PASSWORD/], policy: 'inlineCredentials',
    input: deployOf((_, c) => (c.env = { LOG_LEVEL: 'info', DB_PASSWORD: 'hunter2' })) },

  // Limits on what is stored.
  { id: 'annotations-oversized', attack: 'a spec whose RC annotations exceed 256 KiB', rule: 'annotation size', expect: [/spec/, /annotations|256 KiB|262144/],
    // Inline env values stay out of the app-spec annotation (issue 14), so the bulk rides in a probe's headers.
    input: deployOf((_, c) => {
      c.readinessProbe = { httpGet: { path: '/healthz', port: 8080, httpHeaders: Array.from({ length: 300 }, (_, i) => ({ name: `X-Pad-${i}`, value: 'x'.repeat(1000) })) } };
    }) },
  { id: 'requested-by-oversized', attack: 'a 100 000-character requestedBy', rule: 'text limits', expect: [/requestedBy/, /at most/],
    input: deployOf(() => {}, { requestedBy: 'x'.repeat(100_000) }) },
  { id: 'source-oversized', attack: 'a 100 000-character source', rule: 'text limits', expect: [/source/, /at most/],
    input: deployOf(() => {}, { source: `https://ci.example/${'x'.repeat(100_000)}` }) },
  { id: 'label-policy-redos', attack: 'label-policy pattern (a|aa)+ against aaa…ab', rule: 'patterns cannot backtrack', expect: [/team|pattern/], worker: 'isolated',
    input: deployOf((s) => (s.labels = { team: `${'a'.repeat(45)}b` }), {
      labelPolicy: { required: { team: { pattern: '(a|aa)+' } }, optional: {}, otherLabels: 'allow' },
    }) },

  // Malformed shapes.
  { id: 'input-null', attack: 'input null', rule: 'input shape', expect: [/input|spec/], input: () => null },
  { id: 'input-number', attack: 'input a number', rule: 'input shape', expect: [/input|spec/], input: () => 42 },
  { id: 'input-list', attack: 'input a list', rule: 'input shape', expect: [/input|spec/], input: () => ['spec'] },
  { id: 'spec-missing', attack: 'no spec and no toRevision', rule: 'input shape', expect: [/spec/],
    input: (c) => ({ environment: c.environment, image: c.image, requestedBy: REQUESTED_BY }) },
  { id: 'spec-string', attack: 'spec a string', rule: 'input shape', expect: [/spec/],
    input: (c) => ({ spec: APP, environment: c.environment, image: c.image, requestedBy: REQUESTED_BY }) },
  { id: 'strategy-null', attack: 'strategy null', rule: 'spec shape', expect: [/strategy/], input: deployOf((s) => (s.strategy = null)) },
  { id: 'containers-mapping', attack: 'containers not a list', rule: 'spec shape', expect: [/containers/],
    input: deployOf((s) => (s.containers = (s.containers as Mapping[])[0])) },
  { id: 'replicas-string', attack: 'replicas a string', rule: 'spec shape', expect: [/replicas/], input: deployOf((s) => (s.replicas = '3')) },
  { id: 'environment-missing', attack: 'no environment', rule: 'input shape', expect: [/environment/],
    input: (c) => ({ ...deployOf(() => {})(c), environment: undefined }) },
  { id: 'image-missing', attack: 'no image', rule: 'input shape', expect: [/image/], input: (c) => ({ ...deployOf(() => {})(c), image: undefined }) },
  { id: 'to-revision-forged', attack: 'toRevision of a forged kept RC whose app-spec annotation mounts hostPath /', rule: 'kept revisions are checked too',
    setup: 'forged-kept-rc', expect: [/hostPath|volumes\[0\]|revision 1/],
    input: (c) => ({ environment: c.environment, toRevision: 1, app: { namespace: c.namespace, name: APP }, requestedBy: REQUESTED_BY }) },

  // The workflow checks itself.
  { id: 'wrong-workflow-id', attack: 'started as deploy/<env>/<ns>/other-app for app awesome-api', rule: 'workflow id matches the input',
    expect: [/workflow/, /other-app/], input: deployOf(() => {}), workflowId: (c) => workflowIdFor(c.environment, c.namespace, 'other-app') },
  { id: 'environment-mismatch', attack: 'input.environment production on deploy-<env>', rule: 'task queue matches the environment',
    expect: [/production/, /environment|task queue/], input: deployOf(() => {}, { environment: 'production' }),
    workflowId: (c) => workflowIdFor('production', c.namespace, APP) },
  { id: 'task-queue-mismatch', attack: "a deploy for one environment sent to the other environment's worker", rule: 'task queue matches the environment',
    expect: [/environment|task queue/], input: deployOf(() => {}), taskQueue: (c) => `deploy-${c.otherEnvironment}` },

  // Valid inputs end as deploys: they show the worker's writes are seen where they land.
  { id: 'strategy-missing', attack: 'no strategy (the crash that held the lock)', rule: 'defaults apply; the workflow ends', outcome: 'deploys', expect: [],
    input: deployOf((s) => delete s.strategy) },
  { id: 'control', attack: 'control: the example spec, valid', rule: 'deploys', outcome: 'deploys', expect: [], input: deployOf(() => {}) },
];
