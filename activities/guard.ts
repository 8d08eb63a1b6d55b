// Activities defend themselves (DESIGN §7, I8). Anything that reaches the worker's
// task queue is untrusted — a rogue workflow can schedule these activities with any
// arguments — so each one checks its input's shape, the worker's policy, and that
// the calling workflow holds the lock (its workflow id) of the app it touches.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { describeIssue } from '../domain/errors.js';
import { isDnsLabel } from '../domain/labels.js';
import { parseWorkflowId } from '../domain/names.js';
import { isMapping } from '../domain/spec-checks.js';
import { checkNamespace, type WorkerPolicy } from '../domain/worker-policy.js';

/** The only workflow type that writes to the cluster. */
const DEPLOY_WORKFLOW_TYPE = 'deploy';

export function refuse(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message: `${message}; nothing was written`, nonRetryable: true });
}

/** The activity's input as a mapping, or a non-retryable refusal. */
export function inputMapping(input: unknown, activity: string): Record<string, unknown> {
  if (!isMapping(input)) throw refuse('InvalidInput', `${activity}: input must be a mapping`);
  return input;
}

/** A Kubernetes object name or namespace field of an activity's input. */
export function dnsName(input: Record<string, unknown>, field: string, activity: string, max = 63): string {
  const v = input[field];
  if (typeof v !== 'string' || !isDnsLabel(v, max)) throw refuse('InvalidInput', `${activity}: ${field} must be a DNS-1123 label`);
  return v;
}

export function replicaCount(v: unknown, policy: WorkerPolicy, activity: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw refuse('InvalidInput', `${activity}: replicas must be an integer >= 0`);
  if (v > policy.maxReplicas) {
    throw refuse('PolicyViolation', `${activity}: replicas: must be at most ${policy.maxReplicas} (policy maxReplicas)`);
  }
  return v;
}

/** Refuses a namespace the worker's policy does not deploy into. */
export function allowedNamespace(namespace: string, policy: WorkerPolicy, activity: string): void {
  const issue = checkNamespace(namespace, policy);
  if (issue) throw refuse('PolicyViolation', `${activity}: ${describeIssue(issue)}`);
}

/**
 * The app whose lock the calling workflow holds: a write is allowed only from a
 * deploy workflow whose id is `deploy/<this environment>/<namespace>/<app>`, so
 * two workflows can never write to one app at once (I5), whatever their ids claim.
 */
export function lockedApp(environment: string, namespace: string, activity: string): string {
  const { workflowType, workflowExecution } = Context.current().info;
  const workflowId = workflowExecution?.workflowId ?? '';
  const target = parseWorkflowId(workflowId);
  if (workflowType !== DEPLOY_WORKFLOW_TYPE || !target || target.environment !== environment || target.namespace !== namespace) {
    throw refuse(
      'NotLocked',
      `${activity}: writes to namespace ${namespace} come only from the deploy workflow deploy/${environment}/${namespace}/<app> ` +
        `(called from ${workflowType ?? 'no workflow'} ${JSON.stringify(workflowId)})`,
    );
  }
  return target.name;
}

/** Refuses an RC name that is not one of `app`'s (`<app>-<hash>`). */
export function rcOfApp(name: string, app: string, activity: string): void {
  if (!name.startsWith(`${app}-`)) throw refuse('NotOwned', `${activity}: RC ${name} is not an RC of ${app}`);
}
