// How a deploy ends: a result for success, a typed failure carrying the same
// result for rollback and failure (so the UI shows it red and CI reads it).
import { ApplicationFailure } from '@temporalio/workflow';
import type { RcInfo } from '../activities/index.js';
import type { DeployTracker } from './tracker.js';
import type { DeployResult, Outcome } from './messages.js';

export function finish(tracker: DeployTracker, outcome: Outcome, message: string, steps: number, rc?: RcInfo): DeployResult {
  const result = resultOf(tracker, outcome, message, steps, rc);
  tracker.progress.result = result;
  tracker.setPhase('Succeeded');
  return result;
}

export function fail(tracker: DeployTracker, outcome: 'RolledBack' | 'Failed', message: string, reason: string): never {
  const result = { ...resultOf(tracker, outcome, message, tracker.progress.step), reason };
  tracker.progress.result = result;
  tracker.setPhase(outcome);
  throw ApplicationFailure.create({ type: outcome, message, nonRetryable: true, details: [result] });
}

function resultOf(tracker: DeployTracker, outcome: Outcome, message: string, steps: number, rc?: RcInfo): DeployResult {
  const p = tracker.progress;
  return {
    outcome,
    workflowId: p.workflowId,
    environment: p.environment,
    namespace: p.namespace,
    app: p.app,
    image: p.image,
    rc: rc?.name ?? p.newRc?.name,
    revision: rc?.revision ?? p.newRc?.revision,
    steps,
    message,
  };
}

/** Never a false "Succeeded": only the new RC may run, at the desired size (I3). */
export function assertCleanEnd(rcs: RcInfo[], newName: string, desired: number): void {
  const wrong = rcs
    .filter((rc) => (rc.name === newName ? rc.replicas !== desired : rc.replicas !== 0))
    .map((rc) => `${rc.name} has ${rc.replicas} replicas`);
  if (!rcs.some((rc) => rc.name === newName)) wrong.push(`${newName} is gone`);
  if (wrong.length > 0) {
    throw ApplicationFailure.create({
      type: 'RolloutTampered',
      nonRetryable: true,
      message: `the cluster changed under the rollout: ${wrong.join(', ')}`,
      details: [{ reason: 'RolloutTampered' }],
    });
  }
}
