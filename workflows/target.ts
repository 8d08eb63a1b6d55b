// What a deploy deploys (spec + image), validated inside the workflow too, and
// how any failure is described to people: type, message, and the pods' reason.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { validateAppSpec, type AppSpec } from '../domain/spec.js';
import { resolveDeployImages } from '../domain/image.js';
import { resolveLimits } from '../domain/rollout.js';
import { InvalidSpecError } from '../domain/errors.js';
import { enforceLabelPolicy } from '../domain/label-policy.js';
import * as cluster from './cluster.js';
import type { DeployInput } from './messages.js';

export async function validateTarget(input: DeployInput): Promise<{ spec: AppSpec; image: string }> {
  if (input.toRevision !== undefined) return keptRevision(input);
  return invalidSpecAsFailure(() => {
    // Inline credentials are the client's and the worker policy's call (inlineCredentials); here they
    // pass, so deploys started before that rule replay as they ran.
    const spec = validateAppSpec(input.spec, { inlineCredentials: 'warn' });
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
  // What ran before comes back as it ran, inline credentials included.
  return invalidSpecAsFailure(() => ({ spec: validateAppSpec(JSON.parse(appSpec), { inlineCredentials: 'warn' }), image: rc.image.split(',')[0] ?? rc.image }));
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
