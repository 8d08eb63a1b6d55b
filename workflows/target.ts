// What a deploy deploys (spec + image): admitted by the worker's policy, checked
// against the workflow's own identity; and how any failure is described to
// people: type, message, and the pods' reason.
import { ActivityFailure, ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { PodTemplate } from '../domain/manifest.js';
import { isMapping } from '../domain/spec-checks.js';
import type { ApplyPlan } from './apply-plan.js';
import { validateAppSpec, type AppSpec } from '../domain/spec.js';
import { resolveDeployImages } from '../domain/image.js';
import { resolveLimits } from '../domain/rollout.js';
import { InvalidSpecError } from '../domain/errors.js';
import { enforceLabelPolicy } from '../domain/label-policy.js';
import * as cluster from './cluster.js';
import type { DeployInput } from './messages.js';

export interface Target {
  spec: AppSpec;
  image: string;
  /** The template the deploy renders and its hash (absent on the legacy path, which derives them). */
  expect?: { hash: string; template: PodTemplate };
  /** The new RC's name (absent on the legacy path). */
  rcName?: string;
  /** The cluster the worker that admitted the deploy serves: its kube-system namespace UID. */
  cluster?: string;
  /** False when the worker that admitted the deploy has no chat webhooks (its notifications would tell no one). */
  notifies?: boolean;
}

/**
 * The worker admits the input; the workflow then checks itself: it must run
 * under the app's lock (its workflow id) on its environment's task queue, or a
 * second workflow could deploy the same app at once.
 */
export async function admitted(input: unknown, pinnedCluster?: string, calls: cluster.CallMode = 'task-queue'): Promise<Target> {
  const checked = await cluster.admit(input, calls);
  if (pinnedCluster !== undefined && checked.cluster !== pinnedCluster) {
    throw ApplicationFailure.create({
      type: 'WrongCluster',
      nonRetryable: true,
      message: `this deploy runs on the cluster ${pinnedCluster}, but it was admitted by a worker of cluster ${checked.cluster ?? 'unknown'}; nothing was written`,
    });
  }
  const { workflowId, taskQueue } = workflowInfo();
  if (workflowId !== checked.workflowId || taskQueue !== checked.taskQueue) {
    throw ApplicationFailure.create({
      type: 'WorkflowIdMismatch',
      nonRetryable: true,
      message: `a deploy of ${checked.spec.namespace}/${checked.spec.name} to ${checked.environment} runs as ${checked.workflowId} on ${checked.taskQueue}, not ${workflowId} on ${taskQueue}; nothing was written`,
    });
  }
  return {
    spec: checked.spec,
    image: checked.image,
    expect: { hash: checked.hash, template: checked.template },
    rcName: checked.rcName,
    ...(checked.cluster && { cluster: checked.cluster }),
    ...(checked.notifies === false && { notifies: false }),
  };
}

/** An RC with the new hash but another template is never adopted (someone pre-created a look-alike). */
export function refuseLookAlike(plan: ApplyPlan): void {
  const rc = plan.kind === 'roll' ? plan.existing : plan.rc;
  if (rc?.lookAlike) {
    throw ApplicationFailure.create({ type: 'LookAlikeRc', nonRetryable: true, message: `RC ${rc.name} is not adopted: ${rc.lookAlike}; nothing was written` });
  }
}

/** What the progress shows before admission, read defensively from input of any shape. */
export function initialProgress(input: unknown) {
  const raw = isMapping(input) ? input : {};
  const spec = isMapping(raw.spec) ? raw.spec : {};
  const app = isMapping(raw.app) ? raw.app : {};
  const text = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v.slice(0, 256) : fallback);
  const strategy = isMapping(spec.strategy) ? spec.strategy : {};
  return {
    app: text(spec.name, text(app.name)),
    namespace: text(spec.namespace, text(app.namespace, 'default')),
    environment: text(raw.environment),
    image: text(raw.image, `revision ${String(raw.toRevision)}`),
    requestedBy: text(raw.requestedBy, 'unknown'),
    source: typeof raw.source === 'string' ? raw.source.slice(0, 256) : undefined,
    desired: typeof spec.replicas === 'number' ? spec.replicas : 0,
    approval: strategy.approval === 'after-first-step' ? ('after-first-step' as const) : ('none' as const),
  };
}

/** Deploys started before admission existed: validated here, sized by a node count of their own. */
export async function legacyTarget(input: DeployInput): Promise<Target> {
  const target = await validateTarget(input);
  return target.spec.perNode ? { ...target, spec: { ...target.spec, replicas: await cluster.countSchedulableNodes() } } : target;
}

async function validateTarget(input: DeployInput): Promise<{ spec: AppSpec; image: string }> {
  if (input.toRevision !== undefined) return keptRevision(input);
  return invalidSpecAsFailure(() => {
    const spec = validateAppSpec(input.spec);
    // The organisation's label policy, checked here too: any Temporal client can start a deploy.
    if (input.labelPolicy) enforceLabelPolicy(spec, input.labelPolicy);
    if (!input.image) throw new InvalidSpecError([{ field: 'image', rule: 'is required' }]);
    const image = resolveDeployImages(spec, input.image)[0] ?? input.image;
    resolveLimits(spec.strategy, spec.replicas);
    return { spec, image };
  });
}

/** `rollback --to-revision N`: the kept RC of revision N carries its spec and image. */
async function keptRevision(input: DeployInput): Promise<{ spec: AppSpec; image: string }> {
  const app = input.app ?? (input.spec && { namespace: input.spec.namespace, name: input.spec.name });
  if (!app) throw invalid('app: is required with toRevision');
  const rcs = await cluster.listReplicationControllers(app.namespace, app.name);
  const rc = rcs.find((r) => r.revision === input.toRevision);
  if (!rc) {
    const kept = rcs.map((r) => r.revision).join(', ') || 'none';
    throw invalid(`toRevision: ${app.name} has no kept revision ${input.toRevision} (kept: ${kept})`);
  }
  if (!rc.appSpec) throw invalid(`toRevision: ${rc.name} carries no app spec annotation`);
  const appSpec = rc.appSpec;
  return invalidSpecAsFailure(() => ({ spec: validateAppSpec(JSON.parse(appSpec)), image: rc.image.split(',')[0] ?? rc.image }));
}

/** Domain code throws InvalidSpecError; workflow code may only throw ApplicationFailure. */
export function invalidSpecAsFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InvalidSpecError) throw invalid(err.message);
    throw err;
  }
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'InvalidSpec', message, nonRetryable: true });
}

export interface FailureDescription {
  type: string;
  message: string;
  /** The pods' reason (ImagePullBackOff, CrashLoopBackOff, ...) when there is one. */
  reason?: string;
}

export function describeFailure(err: unknown): FailureDescription {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { reason?: string } | undefined;
    return { type: cause.type ?? 'Error', message: cause.message, reason: details?.reason };
  }
  return { type: 'Error', message: cause instanceof Error ? cause.message : String(cause) };
}
