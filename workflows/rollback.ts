// Rolling back: the rolling update in reverse (old RCs grow back to their
// original size, the new RC shrinks to 0 and is deleted), so the old template
// is never touched and availability holds on the way back too.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { resolveLimits } from '../domain/rollout.js';
import type { AppSpec } from '../domain/spec.js';
import * as cluster from './cluster.js';
import type { OperatorControls } from './operator.js';
import type { DeployTracker } from './tracker.js';
import type { RcGroup } from './rc-group.js';
import { rollingUpdate, type StepGate } from './rolling-update.js';
import { notifyPhase } from './notifications.js';
import { continueIfDue, stepsUntilDue, type ContinueAt } from './continuation.js';
import { planFromCluster } from './plan-from-cluster.js';
import type { ReplicationControllerManifest } from '../domain/render.js';

/** What a deploy changed so far, and so what a rollback must undo. */
export interface Rollout {
  spec: AppSpec;
  /** The side being rolled to (the new RC). */
  to: RcGroup;
  /** The side being rolled from (the RCs that served before), with their original sizes as targets. */
  from: RcGroup;
  /** Whether this deploy created the new RC (a kept revision is scaled to 0 but kept). */
  created: boolean;
  /** Set for a replicas-only change: rollback restores the original size. */
  scaleOnly?: { name: string; original: number };
  /** What the new RC was created from (absent in a run continued as new): a reset may need it again. */
  manifest?: ReplicationControllerManifest;
  /**
   * Steps plan from the cluster, scales compare-and-set, holds time out, and a
   * Finishing phase ends the deploy (patch `reset-safe-rollout`; decided once
   * per deploy, so a rollout never changes its rules halfway).
   */
  resetSafe: boolean;
  /** A step is one activity (patch `local-calls-and-step-activity`; decided once per deploy, carried across continue-as-new). */
  oneActivityPerStep?: boolean;
  /** That activity takes steps back to back up to the next hold (patch `steps-back-to-back`; decided in a run's first workflow task). */
  stepsBackToBack?: boolean;
  /**
   * That activity checks its plan against the cluster before its first scale
   * (StalePlan if the RCs moved), so the workflow reads the RCs only when a run
   * starts and after a stale plan, not before every step (patch
   * `step-checks-its-plan`; decided in a run's first workflow task).
   */
  stepChecksPlan?: boolean;
  /** How its one-off calls run (cluster.ts CallMode; absent: through the task queue). */
  calls?: cluster.CallMode;
}

/** How a forward rollout holds and continues: the limits of its holds, and when to continue as new. */
export interface ForwardHolds {
  approvalTimeoutSeconds?: number;
  maxPauseSeconds?: number;
  continueAt?: ContinueAt;
}

/** The forward rollout listens to operators: pause, approval, stuck → retry or rollback. */
export function forwardGate(tracker: DeployTracker, controls: OperatorControls, rollout: Rollout, holds: ForwardHolds = {}): StepGate {
  const { strategy } = rollout.spec;
  return {
    run: (fn, options) => controls.run(fn, options),
    stepsBeforeHold(stepsDone) {
      // Paused already (the pause came as the step was being planned): one step, then the hold.
      if (controls.paused) return 1;
      const gateAfter = strategy.approval === 'after-first-step' && stepsDone === 0 ? 1 : Number.POSITIVE_INFINITY;
      return Math.min(gateAfter, holds.continueAt ? stepsUntilDue(holds.continueAt, stepsDone) : Number.POSITIVE_INFINITY);
    },
    async betweenSteps(stepsDone) {
      await controls.betweenSteps(holds.maxPauseSeconds);
      if (holds.continueAt) await continueIfDue(holds.continueAt, stepsDone);
    },
    async onStall(failure) {
      const reason = (failure.details?.[0] as { reason?: string } | undefined)?.reason;
      tracker.recordError(failure.type ?? 'RolloutStalled', failure.message, reason);
      if (strategy.onFailure === 'rollback') throw failure;
      void notifyPhase(tracker, 'stuck', failure.message, reason);
      await controls.awaitDecision(strategy.decisionTimeoutSeconds);
      tracker.setPhase('RollingOut');
    },
    async afterStep(step, done) {
      if (step === 1 && !done && strategy.approval === 'after-first-step') {
        // A gate used to wait silently; the webhooks hear of it now. A new
        // activity command, so deploys recorded before keep their history.
        if (rollout.resetSafe || patched('notify-awaiting-approval')) {
          void notifyPhase(tracker, 'awaiting-approval', `step ${step} done; waiting for an operator to approve (or roll back)`);
        }
        await controls.awaitApproval(holds.approvalTimeoutSeconds);
        tracker.setPhase('RollingOut');
      }
    },
    report(step, totalSteps, waitingFor) {
      tracker.showRcs(rollout.to, rollout.from);
      tracker.setStep(step, totalSteps);
      tracker.waitingFor(waitingFor?.what, waitingFor?.side);
    },
  };
}

/** Undoes the rollout. Throws (phase Failed) if the old version cannot come back either. */
export async function rollBack(tracker: DeployTracker, rollout: Rollout, reason: string): Promise<void> {
  tracker.setPhase('RollingBack');
  const { spec } = rollout;
  const namespace = spec.namespace;
  if (rollout.scaleOnly) {
    const { name, original } = rollout.scaleOnly;
    await (rollout.resetSafe ? cluster.scaleLocal(namespace, name, original) : cluster.scale(namespace, name, original));
    return;
  }
  const back = rollout.from;
  const away = rollout.to;
  for (const m of away.members) m.target = 0;
  // Start from what the cluster runs, not from what the rollout believed: a
  // failure (or someone's hand) may have left the RCs at other sizes. A
  // reset-safe rollback re-reads them before every step anyway.
  if (!rollout.resetSafe) {
    const actual = new Map((await cluster.listReplicationControllers(namespace, spec.name)).map((rc) => [rc.name, rc]));
    for (const side of [back, away]) {
      for (const m of side.members) m.replicas = actual.get(m.name)?.replicas ?? 0;
      side.available = side.members.reduce((n, m) => n + (actual.get(m.name)?.availableReplicas ?? 0), 0);
    }
  }
  try {
    await rollingUpdate(
      {
        namespace,
        from: away,
        to: back,
        limits: resolveLimits(spec.strategy, back.target),
        minReadySeconds: spec.strategy.minReadySeconds,
        progressDeadlineSeconds: spec.strategy.progressDeadlineSeconds,
        detectTampering: false,
        ...(rollout.resetSafe && { planFromCluster: planFromCluster(rollout, 'back') }),
      },
      rollbackGate(tracker, rollout),
    );
  } catch (err) {
    tracker.setPhase('Failed');
    const message = `rollback after ${reason} did not complete: ${err instanceof Error ? err.message : String(err)}`;
    throw ApplicationFailure.create({ type: 'RollbackFailed', message, nonRetryable: true });
  }
  if (rollout.created) for (const m of away.members) await cluster.remove(namespace, m.name, rollout.calls);
}

/**
 * A rollback step that stalls with no pod reporting a problem saw nothing happen
 * at all: a slow or recovering control plane (after an apiserver outage the
 * controller manager's informers back off for up to a minute), not an old
 * version that cannot come back. Failing there would leave both versions
 * running and the deploy Failed, so the rollback waits again, for at least
 * QUIET_STALL_SECONDS and at least QUIET_STALL_RETRIES more deadlines.
 */
const QUIET_STALL_SECONDS = 120;
const QUIET_STALL_RETRIES = 5;

/** A rollback is not paused or gated: it runs to the end or fails. */
function rollbackGate(tracker: DeployTracker, rollout: Rollout): StepGate {
  const deadline = Math.max(1, rollout.spec.strategy.progressDeadlineSeconds);
  const patience = Math.max(QUIET_STALL_RETRIES, Math.ceil(QUIET_STALL_SECONDS / deadline));
  let quietStalls = 0;
  return {
    run: (fn) => fn(),
    stepsBeforeHold: () => Number.POSITIVE_INFINITY,
    betweenSteps: async () => {},
    async onStall(failure) {
      const reason = (failure.details?.[0] as { reason?: string } | undefined)?.reason;
      if (reason !== 'ProgressDeadlineExceeded' || ++quietStalls > patience) throw failure;
      tracker.recordError(failure.type ?? 'RolloutStalled', `${failure.message}; waiting again (${quietStalls} of ${patience})`);
    },
    afterStep: async () => {},
    report(step, totalSteps, waitingFor) {
      tracker.showRcs(rollout.to, rollout.from);
      tracker.setStep(step, totalSteps);
      tracker.waitingFor(waitingFor?.what, waitingFor?.side);
    },
  };
}
