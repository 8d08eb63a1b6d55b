// The RCs of a rollout at the sizes the workflow set, or not: checked at the
// start of a wait (a different size there is a stale plan, after a Temporal
// Reset), during it (someone else rescaled or deleted one: tampering), and by
// a step activity before its first scale (issue 19: the workflow no longer
// reads the RCs before every step). The shared RC watch answers first; only
// what the apiserver says fails the check.
import { ApplicationFailure } from '@temporalio/common';
import type { V1ReplicationController } from '@kubernetes/client-node';
import type { Kube } from './kube.js';
import type { ClusterWatches } from './cluster-watches.js';
import type { SharedWatch } from './shared-watch.js';
import { rcInfo, readReplicationController, type RcInfo } from './replication-controllers.js';
import { cancelledOn } from './errors.js';

export interface RcSizesInput {
  namespace: string;
  /** For messages: what the step or wait is about. */
  target: string;
  /** Each RC and the size the workflow set. */
  expect?: Array<{ name: string; replicas: number }>;
  /** Sizes that differ when the check begins are a stale plan (StalePlan), not tampering. */
  stalePlanAtStart?: boolean;
}

/** A step's plan: both sides' RCs at the sizes the workflow handed in. */
export type PlanCheckInput = Required<Pick<RcSizesInput, 'namespace' | 'target' | 'expect'>> & { app: string };

/** How long the RC watch may take to show this deploy's own last scale before the apiserver is asked directly. */
const RC_CATCH_UP_MS = 2000;

/** Fails as StalePlan unless every RC of the plan runs the size it names. */
export async function checkPlan(kube: Kube, watches: ClusterWatches, input: PlanCheckInput, signal: AbortSignal): Promise<void> {
  const rcs = watches.replicationControllers(input.namespace, `name=${input.app}`);
  const { cancelled, stop } = cancelledOn(signal, 'plan check');
  try {
    await Promise.race([rcs.watch.ready, cancelled]);
    await Promise.race([checkUntouched(kube, rcs.watch, { ...input, stalePlanAtStart: true }, true), cancelled]);
  } finally {
    stop();
    rcs.release();
  }
}

/** Fails if an RC of the rollout was deleted or rescaled by someone other than this deploy. */
export async function checkUntouched(kube: Kube, rcs: SharedWatch<V1ReplicationController> | undefined, input: RcSizesInput, atStart: boolean): Promise<void> {
  const expect = input.expect ?? [];
  if (!expect.length) return;
  const fromWatch = () => {
    const byName = new Map([...(rcs?.items.values() ?? [])].map((rc) => [rc.metadata?.name ?? '', rcInfo(rc)]));
    return expect.map((e) => byName.get(e.name));
  };
  if (rcs) {
    // The watch may not have shown this deploy's own last scale yet: give it a
    // moment before asking the apiserver. Only what the apiserver says fails the wait.
    const deadline = Date.now() + RC_CATCH_UP_MS;
    let seen = tampering(expect, fromWatch());
    while (seen && Date.now() < deadline) {
      await rcs.nextChange(deadline - Date.now());
      seen = tampering(expect, fromWatch());
    }
    if (!seen) return;
  }
  // Read by name: a relabelled RC is not taken for a deleted one.
  const problem = tampering(expect, await Promise.all(expect.map((e) => readReplicationController(kube, input.namespace, e.name))));
  if (problem && atStart && input.stalePlanAtStart) {
    throw ApplicationFailure.create({ type: 'StalePlan', nonRetryable: true, message: `${input.target}: the step planned from old sizes (${problem.replace(/ by someone else during the rollout/, '')}); planning it again` });
  }
  if (problem) {
    throw ApplicationFailure.create({ type: 'RolloutTampered', nonRetryable: true, message: problem, details: [{ reason: 'RolloutTampered' }] });
  }
}

function tampering(expect: Array<{ name: string; replicas: number }>, rcs: (RcInfo | undefined)[]): string | undefined {
  for (const [i, expected] of expect.entries()) {
    const rc = rcs[i];
    if (!rc) return `RC ${expected.name} was deleted by someone else during the rollout`;
    if (rc.replicas !== expected.replicas) {
      return `RC ${expected.name} was scaled to ${rc.replicas} by someone else during the rollout (the deploy set ${expected.replicas})`;
    }
  }
  return undefined;
}
