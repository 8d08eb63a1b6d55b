// Find, create, scale and delete an app's ReplicationControllers. Each call is
// idempotent so a retried activity (or a replayed workflow) changes nothing twice.
import { ApplicationFailure } from '@temporalio/common';
import type { V1ReplicationController } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../domain/names.js';
import { keptSpecJson } from '../domain/kept-spec.js';
import { appSelector, DEPLOYMENT_LABEL } from '../domain/labels.js';
import type { ReplicationControllerManifest } from '../domain/render.js';
import type { Kube } from './kube.js';
import { isAlreadyExists, isNotFound, kubeCall, toFailure } from './errors.js';

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
  /** The validated app spec this revision was deployed with (JSON, env from its pod template), for redeploying it. */
  appSpec?: string;
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
    appSpec: keptSpecJson(annotations[ANNOTATIONS.appSpec], rc.spec?.template?.spec?.containers ?? []),
  };
}

/** The app's RCs (managed by deployflow), oldest revision first. */
export async function listReplicationControllers(kube: Kube, namespace: string, name: string): Promise<RcInfo[]> {
  const list = await kubeCall(`list RCs of ${namespace}/${name}`, () =>
    kube.core.listNamespacedReplicationController({ namespace, labelSelector: appSelector({ name }) }),
  );
  return list.items.map(rcInfo).sort((a, b) => a.revision - b.revision);
}

export async function readReplicationController(kube: Kube, namespace: string, name: string): Promise<RcInfo | undefined> {
  try {
    return rcInfo(await kube.core.readNamespacedReplicationController({ name, namespace }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw toFailure(err, `read RC ${namespace}/${name}`);
  }
}

/**
 * Creates the RC unless it already exists. An existing RC of the same name has
 * the same template hash (the name embeds it), so it is the one we wanted.
 */
export async function createReplicationController(kube: Kube, manifest: ReplicationControllerManifest): Promise<RcInfo> {
  const { namespace, name } = manifest.metadata;
  try {
    return rcInfo(await kube.core.createNamespacedReplicationController({ namespace, body: manifest as V1ReplicationController }));
  } catch (err) {
    if (!isAlreadyExists(err)) throw toFailure(err, `create RC ${namespace}/${name}`);
    const existing = await readReplicationController(kube, namespace, name);
    if (!existing) throw ApplicationFailure.retryable(`RC ${namespace}/${name} existed and vanished; trying again`, 'Conflict');
    return existing;
  }
}

/**
 * Sets spec.replicas through the scale subresource: no read-modify-write race
 * on the RC. Scaling a missing RC to 0 deletes the pods it may have left.
 */
export async function scaleReplicationController(kube: Kube, namespace: string, name: string, replicas: number): Promise<void> {
  try {
    await kube.core.replaceNamespacedReplicationControllerScale({
      name,
      namespace,
      body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace }, spec: { replicas } },
    });
  } catch (err) {
    if (!(replicas === 0 && isNotFound(err))) throw toFailure(err, `scale RC ${namespace}/${name} to ${replicas}`);
    await deleteOrphanedPods(kube, namespace, name);
  }
}

/** Deletes the RC and, through the garbage collector, its pods. Already gone is fine. */
export async function deleteReplicationController(kube: Kube, namespace: string, name: string): Promise<void> {
  try {
    await kube.core.deleteNamespacedReplicationController({ name, namespace, propagationPolicy: 'Background' });
  } catch (err) {
    if (!isNotFound(err)) throw toFailure(err, `delete RC ${namespace}/${name}`);
    await deleteOrphanedPods(kube, namespace, name);
  }
}

/**
 * Deletes the pods a vanished RC left behind: a v1 RC deleted by hand without
 * a propagation policy orphans its pods, and they would go on serving. RC
 * names end in the template hash, which each of their pods carries as its
 * `deployment` label.
 */
async function deleteOrphanedPods(kube: Kube, namespace: string, rcName: string): Promise<void> {
  const hash = rcName.slice(rcName.lastIndexOf('-') + 1);
  await kubeCall(`delete pods left by RC ${namespace}/${rcName}`, () =>
    kube.core.deleteCollectionNamespacedPod({ namespace, labelSelector: `${DEPLOYMENT_LABEL}=${hash}` }),
  );
}
