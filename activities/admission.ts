// Admission: the first thing a deploy asks its worker. The workflow's input is
// untrusted (anyone who can start a workflow on `deploy-<env>` wrote it), so the
// worker runs checkDeploy on it with its own policy and hands back the one
// checked value the rest of the deploy uses; the result is recorded in history.
import { ApplicationFailure } from '@temporalio/common';
import { checkDeploy, type CheckedDeploy, type DeployRequestFields } from '../domain/check-deploy.js';
import { InvalidSpecError } from '../domain/errors.js';
import { keptRequest } from '../domain/provenance.js';
import { keptSpecJson } from '../domain/kept-spec.js';
import { renderReplicationController, type ReplicationControllerManifest } from '../domain/render.js';
import { canonicalJson } from '../domain/hash.js';
import { ANNOTATIONS } from '../domain/names.js';
import { isMapping } from '../domain/spec-checks.js';
import type { WorkerPolicy } from '../domain/worker-policy.js';
import type { Kube } from './kube.js';
import { allowedNamespace, dnsName, inputMapping, refuse } from './guard.js';
import { listReplicationControllers } from './replication-controllers.js';
import { countSchedulableNodes } from './nodes.js';
import { templateDifference } from '../domain/provenance.js';

export interface AdmissionDeps {
  kube: Kube;
  environment: string;
  policy: WorkerPolicy;
  /** The UID of this worker's cluster's kube-system namespace, when the worker could read it. */
  cluster?: string;
}

/** The checked value, and the cluster that admitted it: the deploy is pinned to that cluster from here on. */
export interface AdmittedDeploy extends CheckedDeploy {
  cluster?: string;
  /** False when this worker has no chat webhooks to tell: the deploy then schedules no notifications. */
  notifies?: boolean;
}

/** The deploy's checked value, or a non-retryable refusal naming every problem. */
export async function admitDeploy(deps: AdmissionDeps, raw: unknown, callerWorkflowId: string): Promise<AdmittedDeploy> {
  const input = inputMapping(raw, 'admitDeploy');
  if (input.environment !== deps.environment) {
    throw refuse('EnvironmentMismatch', `environment: must be "${deps.environment}", the environment this worker serves (a deploy for ${JSON.stringify(input.environment)} reached it)`);
  }
  const request = input.toRevision === undefined ? { spec: input.spec, image: input.image } : await keptRevision(deps, input);
  const admitted = asRefusal(() =>
    checkDeploy({
      ...request,
      environment: deps.environment,
      labelPolicy: input.labelPolicy,
      workerPolicy: deps.policy,
      requestedBy: input.requestedBy,
      source: input.source,
    }),
  );
  // A per-node agent runs one pod on every schedulable node: its size is the node count.
  const sized = admitted.spec.perNode ? resized(admitted, await countSchedulableNodes(deps.kube), deps) : admitted;
  if (sized.workflowId !== callerWorkflowId) {
    throw refuse('WorkflowIdMismatch', `a deploy of ${sized.spec.namespace}/${sized.spec.name} must run as workflow ${sized.workflowId}, not ${callerWorkflowId}`);
  }
  return deps.cluster ? { ...sized, cluster: deps.cluster } : sized;
}

/** A Temporal run id: a UUID. */
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The create activity's manifest, re-derived: it must be exactly what checkDeploy
 * and render make of the spec and image its own annotations name, for an
 * allowed spec. A forged manifest (another template, host namespaces, another
 * image than its annotations say) is refused before it reaches the apiserver.
 */
export function verifyManifest(deps: Omit<AdmissionDeps, 'kube'>, raw: unknown, callerWorkflowId: string): ReplicationControllerManifest {
  const input = inputMapping(raw, 'createReplicationController');
  const manifest = input.manifest;
  const metadata = isMapping(manifest) && isMapping(manifest.metadata) ? manifest.metadata : undefined;
  const annotations = metadata && isMapping(metadata.annotations) ? (metadata.annotations as Record<string, string>) : {};
  // The annotation names inline env values only; their values are the manifest's own pod template's.
  const kept = keptRequest({ appSpec: keptSpecJson(annotations[ANNOTATIONS.appSpec], templateContainers(manifest)), image: annotations[ANNOTATIONS.image] });
  if (typeof kept === 'string') throw refuse('ForgedManifest', `createReplicationController: the manifest is not one deployflow rendered (${kept})`);
  const checked = asRefusal(() =>
    checkDeploy({
      ...kept,
      environment: deps.environment,
      workerPolicy: deps.policy,
      requestedBy: annotations[ANNOTATIONS.requestedBy],
      source: annotations[ANNOTATIONS.source],
    }),
  );
  if (annotations[ANNOTATIONS.workflowId] !== callerWorkflowId || checked.workflowId !== callerWorkflowId) {
    throw refuse('WorkflowIdMismatch', `createReplicationController: ${checked.rcName} belongs to workflow ${checked.workflowId}, not ${callerWorkflowId}`);
  }
  const desired = Number(annotations[ANNOTATIONS.desiredReplicas]);
  const revision = Number(annotations[ANNOTATIONS.revision]);
  const replicas = isMapping(manifest) && isMapping(manifest.spec) ? manifest.spec.replicas : undefined;
  if (!Number.isInteger(revision) || revision < 1 || !Number.isInteger(desired) || typeof replicas !== 'number' || !(replicas >= 0 && replicas <= desired)) {
    throw refuse('ForgedManifest', 'createReplicationController: revision, desired replicas or replicas are out of range');
  }
  // Any run id of the caller's own workflow will do: the annotation only tells that deploy its RC apart.
  const deployId = annotations[ANNOTATIONS.deployId];
  if (deployId !== undefined && !(typeof deployId === 'string' && RUN_ID.test(deployId))) {
    throw refuse('ForgedManifest', `createReplicationController: the ${ANNOTATIONS.deployId} annotation is not a run id`);
  }
  const rendered = renderReplicationController({
    spec: { ...checked.spec, replicas: desired },
    environment: deps.environment,
    image: checked.image,
    revision,
    requestedBy: checked.requestedBy,
    source: checked.source,
    workflowId: callerWorkflowId,
    ...(deployId !== undefined && { deployId }),
    replicas: desired,
  });
  const expected = { ...rendered, spec: { ...rendered.spec, replicas } };
  if (canonicalJson(expected) !== canonicalJson(manifest)) {
    const where = templateDifference(expected, manifest, 'manifest') ?? templateDifference(manifest, expected, 'manifest') ?? 'manifest';
    throw refuse('ForgedManifest', `createReplicationController: ${where} is not what deployflow renders for ${checked.rcName}`);
  }
  return expected;
}

/** The manifest's containers (any shape: it is untrusted) as keptSpecJson reads them. */
function templateContainers(manifest: unknown): Parameters<typeof keptSpecJson>[1] {
  const spec = isMapping(manifest) && isMapping(manifest.spec) ? manifest.spec : undefined;
  const template = spec && isMapping(spec.template) && isMapping(spec.template.spec) ? spec.template.spec : undefined;
  const containers = template && Array.isArray(template.containers) ? template.containers : [];
  return containers.filter(isMapping).map((c) => ({
    name: typeof c.name === 'string' ? c.name : undefined,
    env: Array.isArray(c.env) ? (c.env.filter((e) => isMapping(e) && typeof e.name === 'string') as Parameters<typeof keptSpecJson>[1][number]['env']) : [],
  }));
}

/** `toRevision`: the kept RC's own spec and image, which go through every check again. */
async function keptRevision(deps: AdmissionDeps, input: Record<string, unknown>): Promise<Pick<DeployRequestFields, 'spec' | 'image'>> {
  const revision = input.toRevision;
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) throw refuse('InvalidSpec', 'toRevision: must be an integer >= 1');
  const app = inputMapping(input.app, 'admitDeploy app');
  const namespace = dnsName(app, 'namespace', 'admitDeploy');
  const name = dnsName(app, 'name', 'admitDeploy', 54);
  allowedNamespace(namespace, deps.policy, 'admitDeploy');
  const rcs = await listReplicationControllers(deps.kube, namespace, { environment: deps.environment, app: name });
  const rc = rcs.find((r) => r.revision === revision);
  if (!rc) {
    const kept = rcs.map((r) => r.revision).join(', ') || 'none';
    throw refuse('InvalidSpec', `toRevision: ${name} has no kept revision ${revision} (kept: ${kept})`);
  }
  const kept = keptRequest(rc);
  if (typeof kept === 'string') throw refuse('InvalidSpec', `toRevision: ${rc.name} cannot be redeployed: ${kept}`);
  return kept;
}

function resized(d: CheckedDeploy, nodes: number, deps: Omit<AdmissionDeps, 'kube'>): CheckedDeploy {
  const { spec, image, requestedBy, source } = d;
  return asRefusal(() => checkDeploy({ spec, image, environment: deps.environment, workerPolicy: deps.policy, nodeCount: nodes, requestedBy, source }));
}

/** Spec and policy problems leave the worker as one refusal listing them all. */
function asRefusal<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    const type = err.issues.some((i) => i.policy) ? 'PolicyViolation' : 'InvalidSpec';
    throw ApplicationFailure.create({ type, message: err.message, nonRetryable: true, details: [{ issues: err.issues }] });
  }
}
