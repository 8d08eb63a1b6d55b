// Find, create, scale and delete an app's ReplicationControllers. Each call is
// idempotent so a retried activity (or a replayed workflow) changes nothing twice.
// Every write first checks that the RC is the app's own (see domain/provenance.ts):
// the worker never scales, deletes or adopts an RC it did not write.
import { ApplicationFailure } from '@temporalio/common';
import type { V1Pod, V1ReplicationController } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../domain/names.js';
import { keptSpecJson } from '../domain/kept-spec.js';
import { appSelector, DEPLOYMENT_LABEL } from '../domain/labels.js';
import type { PodTemplate, ReplicationControllerManifest } from '../domain/render.js';
import { ownershipProblem, templateDifference } from '../domain/provenance.js';
import type { Kube } from './kube.js';
import { isAlreadyExists, isConflict, isNotFound, kubeCall, toFailure } from './errors.js';
import { refuse } from './guard.js';

/** What the workflow needs to know about one RC of the app. */
export interface RcInfo {
  name: string;
  hash: string;
  revision: number;
  image: string;
  /** spec.replicas: what the RC is asked to run now. */
  replicas: number;
  /** The size this revision was deployed at: what a rollback restores. */
  desiredReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  workflowId: string;
  /** The deploy that created the RC (ANNOTATIONS.deployId), when it says. */
  deployId?: string;
  /** The validated app spec this revision was deployed with (JSON, env from its pod template), for redeploying it. */
  appSpec?: string;
  /**
   * Set when the RC has the hash of the template a deploy expects but another
   * template (a look-alike someone pre-created): it is never adopted.
   */
  lookAlike?: string;
}

/** Whose RCs a call is about: the app, in the environment this worker serves. */
export interface Owner {
  environment: string;
  app: string;
}

export function rcInfo(rc: V1ReplicationController): RcInfo {
  const annotations = rc.metadata?.annotations ?? {};
  const replicas = rc.spec?.replicas ?? 0;
  return {
    name: rc.metadata?.name ?? '',
    hash: annotations[ANNOTATIONS.templateHash] ?? rc.spec?.selector?.[DEPLOYMENT_LABEL] ?? '',
    revision: Number(annotations[ANNOTATIONS.revision] ?? 0),
    image: annotations[ANNOTATIONS.image] ?? rc.spec?.template?.spec?.containers?.[0]?.image ?? '',
    replicas,
    desiredReplicas: Number(annotations[ANNOTATIONS.desiredReplicas] ?? replicas),
    readyReplicas: rc.status?.readyReplicas ?? 0,
    availableReplicas: rc.status?.availableReplicas ?? 0,
    workflowId: annotations[ANNOTATIONS.workflowId] ?? '',
    ...(annotations[ANNOTATIONS.deployId] !== undefined && { deployId: annotations[ANNOTATIONS.deployId] }),
    appSpec: keptSpecJson(annotations[ANNOTATIONS.appSpec], rc.spec?.template?.spec?.containers ?? []),
  };
}

/**
 * The app's RCs written by this environment's deployflow, oldest revision first.
 * RCs that merely carry the app's labels are left out: the deploy never counts,
 * scales or deletes them. With `expect`, the RC of that hash is checked against
 * the template the deploy renders.
 */
export async function listReplicationControllers(
  kube: Kube,
  namespace: string,
  owner: Owner,
  expect?: { hash: string; template: PodTemplate },
): Promise<RcInfo[]> {
  const list = await kubeCall(`list RCs of ${namespace}/${owner.app}`, () =>
    kube.core.listNamespacedReplicationController({ namespace, labelSelector: appSelector({ name: owner.app }) }),
  );
  return list.items
    .filter((rc) => ownershipProblem(meta(rc), owner) === undefined)
    .map((rc) => {
      const info = rcInfo(rc);
      const differs = expect && info.hash === expect.hash ? templateDifference(expect.template, rc.spec?.template) : undefined;
      return differs ? { ...info, lookAlike: `its ${differs} is not what this deploy renders` } : info;
    })
    .sort((a, b) => a.revision - b.revision);
}

export async function readReplicationController(kube: Kube, namespace: string, name: string): Promise<RcInfo | undefined> {
  const rc = await readRaw(kube, namespace, name);
  return rc && rcInfo(rc);
}

/**
 * Creates the RC unless it already exists. An existing RC of the same name is
 * adopted only if it is deployflow's and runs exactly the rendered template.
 */
export async function createReplicationController(kube: Kube, manifest: ReplicationControllerManifest, owner: Owner): Promise<RcInfo> {
  const { namespace, name } = manifest.metadata;
  try {
    return rcInfo(await kube.core.createNamespacedReplicationController({ namespace, body: manifest as V1ReplicationController }));
  } catch (err) {
    if (!isAlreadyExists(err)) throw toFailure(err, `create RC ${namespace}/${name}`);
    const existing = await readRaw(kube, namespace, name);
    if (!existing) throw ApplicationFailure.retryable(`RC ${namespace}/${name} existed and vanished; trying again`, 'Conflict');
    const problem = ownershipProblem(meta(existing), owner) ?? differsFrom(manifest.spec.template, existing);
    if (problem) throw refuse('LookAlikeRc', `RC ${namespace}/${name} exists but is not adopted: ${problem}`);
    return rcInfo(existing);
  }
}

/**
 * Conditional writes lost to the RC manager's own status updates, tried again each time from a fresh read.
 * While a batch of pods turns ready it writes status every few milliseconds, and on a busy machine five
 * conflicts in a row happened (a 100-replica bench rollout, 7 December): the step activity failed and its
 * retry, planned from before its steps, had to go back to the workflow to re-plan, three seconds lost.
 */
const SCALE_ATTEMPTS = 20;

/**
 * Sets spec.replicas through the scale subresource: no read-modify-write race
 * on the RC. Scaling a missing RC to 0 deletes the pods it may have left.
 *
 * With `from`, the scale is a compare-and-set: it applies only to an RC that
 * still runs `from` replicas (or already runs `replicas`: a retry), and the
 * replace carries the resourceVersion it checked, so a change in between is a
 * Conflict, tried again from a fresh read. Any other size means the workflow
 * planned from a stale picture (a Temporal Reset replays old counts, someone
 * rescaled between two steps): StalePlan, and nothing is written; the
 * workflow re-plans from the RCs. `cached`, the RC as the rollout's shared
 * watch shows it, saves the read when it shows the RC at `from`; a stale copy
 * only costs a conflict and a fresh read.
 */
export async function scaleReplicationController(
  kube: Kube,
  namespace: string,
  name: string,
  replicas: number,
  owner: Owner,
  from?: number,
  cached?: V1ReplicationController,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const usable = attempt === 1 && from !== undefined && from !== replicas && cached?.spec?.replicas === from ? cached : undefined;
    const rc = usable ?? (await readRaw(kube, namespace, name));
    if (!rc) {
      if (replicas !== 0) throw refuse('NotFound', `scale RC ${namespace}/${name} to ${replicas}: it does not exist`);
      return deleteOrphanedPods(kube, namespace, name, owner);
    }
    assertOwned(rc, owner, `scale RC ${namespace}/${name}`);
    const current = rc.spec?.replicas ?? 0;
    if (from !== undefined && current !== from && current !== replicas) {
      throw ApplicationFailure.create({
        type: 'StalePlan',
        nonRetryable: true,
        message: `RC ${namespace}/${name} runs ${current} replicas, not the ${from} this step planned from; nothing was written`,
        details: [{ replicas: current }],
      });
    }
    if (from !== undefined && current === replicas) return;
    try {
      await kube.core.replaceNamespacedReplicationControllerScale({
        name,
        namespace,
        body: {
          apiVersion: 'autoscaling/v1',
          kind: 'Scale',
          metadata: { name, namespace, ...(from !== undefined && { resourceVersion: rc.metadata?.resourceVersion }) },
          spec: { replicas },
        },
      });
      return;
    } catch (err) {
      if (from !== undefined && isConflict(err) && attempt < SCALE_ATTEMPTS) continue;
      if (!(replicas === 0 && isNotFound(err))) throw toFailure(err, `scale RC ${namespace}/${name} to ${replicas}`);
      return deleteOrphanedPods(kube, namespace, name, owner);
    }
  }
}

/** Deletes the RC and, through the garbage collector, its pods. Already gone is fine. */
export async function deleteReplicationController(kube: Kube, namespace: string, name: string, owner: Owner): Promise<void> {
  const rc = await readRaw(kube, namespace, name);
  if (rc) {
    assertOwned(rc, owner, `delete RC ${namespace}/${name}`);
    try {
      await kube.core.deleteNamespacedReplicationController({ name, namespace, propagationPolicy: 'Background' });
      return;
    } catch (err) {
      if (!isNotFound(err)) throw toFailure(err, `delete RC ${namespace}/${name}`);
    }
  }
  await deleteOrphanedPods(kube, namespace, name, owner);
}

/**
 * Deletes the pods a vanished RC left behind: a v1 RC deleted by hand without a
 * propagation policy orphans its pods, and they would go on serving. Only pods
 * that carry the app's labels and that RC's hash, were named by that RC's
 * controller (`generateName: <rc>-`) AND have no controller now are deleted,
 * one by one: a pod another controller owns, or one made by hand with the
 * app's labels, is never touched.
 */
async function deleteOrphanedPods(kube: Kube, namespace: string, rcName: string, owner: Owner): Promise<void> {
  const hash = rcName.slice(owner.app.length + 1);
  const pods = await kubeCall(`list pods left by RC ${namespace}/${rcName}`, () =>
    kube.core.listNamespacedPod({ namespace, labelSelector: `name=${owner.app},${DEPLOYMENT_LABEL}=${hash}` }),
  );
  for (const pod of pods.items.filter((p) => isOrphan(p) && p.metadata?.generateName === `${rcName}-`)) {
    const name = pod.metadata?.name ?? '';
    await kube.core.deleteNamespacedPod({ name, namespace }).catch((err: unknown) => {
      if (!isNotFound(err)) throw toFailure(err, `delete pod ${namespace}/${name} left by RC ${rcName}`);
    });
  }
}

function isOrphan(pod: V1Pod): boolean {
  return !(pod.metadata?.ownerReferences ?? []).some((ref) => ref.controller);
}

async function readRaw(kube: Kube, namespace: string, name: string): Promise<V1ReplicationController | undefined> {
  try {
    return await kube.core.readNamespacedReplicationController({ name, namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw toFailure(err, `read RC ${namespace}/${name}`);
  }
}

function assertOwned(rc: V1ReplicationController, owner: Owner, what: string): void {
  const problem = ownershipProblem(meta(rc), owner);
  if (problem) throw refuse('NotOwned', `${what}: the RC is not ${owner.app}'s in ${owner.environment} (${problem})`);
}

function differsFrom(template: PodTemplate, rc: V1ReplicationController): string | undefined {
  const path = templateDifference(template, rc.spec?.template);
  return path && `its ${path} is not what this deploy renders`;
}

function meta(rc: V1ReplicationController) {
  return { name: rc.metadata?.name, labels: rc.metadata?.labels, annotations: rc.metadata?.annotations, selector: rc.spec?.selector };
}
