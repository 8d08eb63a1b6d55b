// The stepwise rolling update: grow the `to` side by what surge allows, wait
// until enough of its pods are available, shrink the `from` side by what availability
// allows, repeat. A rollback is the same loop with the sides swapped, so both
// directions keep invariants I1 and I2.
import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { availableToShrink, countSteps, isRolloutDone, nextScaleUp, type RolloutLimits, type RolloutState } from '../domain/rollout.js';
import { MAX_STEPS_PER_CALL, runRolloutStep } from '../domain/rollout-step.js';
import type { PodCounts, StalledWait } from '../activities/index.js';
import * as cluster from './cluster.js';
import type { RcGroup } from './rc-group.js';

/** How a rolling update listens to the world between and during its steps. */
export interface StepGate {
  /** Runs a wait; an operator's rollback may interrupt it, and with `pausable` a pause too. */
  run<T>(fn: () => Promise<T>, options?: { pausable?: boolean }): Promise<T>;
  /** How many steps may follow `stepsDone` before the workflow must look again (a gate, a continue-as-new); Infinity: no limit. */
  stepsBeforeHold(stepsDone: number): number;
  /** Before each step, and once more when the last one is done (a pause or rollback asked for during it takes effect). */
  betweenSteps(stepsDone: number): Promise<void>;
  /** A step stalled: return to retry it, throw to give up. */
  onStall(failure: ApplicationFailure): Promise<void>;
  afterStep(step: number, done: boolean): Promise<void>;
  /** Progress to publish: sides, step k of n, what is awaited and on which side. */
  report(step: number, totalSteps: number, waitingFor?: { what: string; side: 'new' | 'old' }): void;
}

export interface RollingUpdate {
  namespace: string;
  from: RcGroup;
  to: RcGroup;
  limits: RolloutLimits;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
  /** Fail a wait when someone else rescales or deletes an RC during it (off for rollbacks, which repair). */
  detectTampering: boolean;
  /** Reset-safe rollouts (absent on deploys started before): each step plans from the cluster. */
  planFromCluster?: PlanFromCluster;
  /** Steps done before this call (a deploy continued as new carries its count). */
  stepsDone?: number;
  /** Both sides were planned from the cluster just now (a deploy's first run): with `stepChecksPlan`, the first step needs no sync either. */
  sizesJustRead?: boolean;
}

export interface PlanFromCluster {
  /** Brings both sides to the RCs' real sizes (and re-creates a new RC a reset left deleted). */
  sync(): Promise<void>;
  /** Names the step's activities in history: `step` forward (`step-3`, or its waits `step-3-new`), `rollback` back. */
  idPrefix: 'step' | 'rollback';
  /**
   * The whole step is one activity (`step-3`): one round trip through Temporal
   * instead of two, and it shrinks the old side as soon as enough new pods are
   * available instead of after the slowest of them (issue 19).
   */
  oneActivityPerStep?: boolean;
  /** That activity checks the sizes it is handed against the cluster: `sync` runs only when a run starts and after a stale plan. */
  stepChecksPlan?: boolean;
  /**
   * That activity takes steps back to back until the workflow must look again
   * (stepsBeforeHold): one round trip through Temporal per stretch of steps
   * instead of per step. A pause stops it; the step it stopped in the middle
   * of is finished before the hold.
   */
  stepsBackToBack?: boolean;
}

/** Re-planning that keeps finding the RCs moved is someone fighting the rollout. */
const MAX_STALE_PLANS = 10;

/** Rolls until `to` runs its target fully available and `from` is at 0; returns the number of steps. */
export async function rollingUpdate(r: RollingUpdate, gate: StepGate): Promise<number> {
  const { from, to, limits } = r;
  const desired = to.target;
  const state = (): RolloutState => ({
    desired,
    oldReplicas: from.replicas,
    newReplicas: to.replicas,
    oldAvailable: Math.min(from.available, from.replicas),
    newAvailable: to.available,
  });
  let step = r.stepsDone ?? 0;
  // The step that runs counts even when what is left of it plans as zero steps
  // (its scales are done, its wait is not): never "step 3 of 2". The plan
  // assumes whole batches; steps that replace pods as they turn available are
  // more, so the total may grow as the rollout goes.
  const totalSteps = () => Math.max(step + 1, step + safeCountSteps(desired, from.replicas, limits, to.replicas));
  const sync = r.planFromCluster;
  let stalePlans = 0;
  // Sizes this run has from the cluster (a plan, the last step activity's result): the next step activity checks them before it scales.
  let sizesKnown = r.sizesJustRead === true;

  for (;;) {
    if (!sync && isRolloutDone(state())) break;
    await gate.betweenSteps(step);
    if (sync) {
      // Plan from what the cluster runs, not from what this run remembers: a
      // Reset or a continue-as-new resumes here with counts that may be old.
      if (!(sync.stepChecksPlan && sizesKnown)) await sync.sync();
      if (isRolloutDone(state())) break;
    }
    // While a step runs, it is the one shown: "step 1 of 3" from its first scale on.
    gate.report(step + 1, totalSteps());
    const ids = sync ? (s: RcGroup) => `${sync.idPrefix}-${step + 1}-${s.side}` : undefined;
    let taken: Taken;
    try {
      taken = sync?.oneActivityPerStep ? await stepsAsOneActivity(step + 1, sync) : (await runStep(step + 1, ids), { steps: 1, sizesKnown: false });
    } catch (err) {
      if (!sync || !isStalePlan(err)) throw err;
      if (++stalePlans > MAX_STALE_PLANS) throw tamperedAfterStalePlans(err);
      sizesKnown = false;
      continue;
    }
    stalePlans = 0;
    sizesKnown = taken.sizesKnown;
    if (taken.steps === 0) continue;
    step += taken.steps;
    const done = isRolloutDone(state());
    gate.report(step, done ? step : totalSteps());
    await gate.afterStep(step, done);
  }
  return step;

  /** One step, a scale and a wait at a time (domain/rollout-step.ts); the waits are activities, the scales local ones. */
  async function runStep(current: number, ids?: (s: RcGroup) => string) {
    const compareAndSet = ids !== undefined;
    const sides = { to, from };
    await runRolloutStep(
      {
        state,
        scale: (side, total) => sides[side].scaleTo(total, compareAndSet),
        async wait(side, minAvailable, maxPods) {
          const s = sides[side];
          const what = side === 'to' ? `${minAvailable} available pods of ${s.label}` : `${s.label} to shrink to ${maxPods} pods`;
          gate.report(current, totalSteps(), { what, side: s.side });
          s.available = (await waitStep(r, s, minAvailable, maxPods, gate, ids?.(s))).available;
        },
      },
      limits,
    );
  }

  /**
   * The same step as one activity (`step-3`, `rollback-2`): it scales and
   * waits on the worker and hands back both sides' sizes; with
   * `stepsBackToBack`, the steps up to the next hold, in one activity. A stall
   * is handled as a stalled wait is: the gate decides, then the step runs
   * again from the cluster's sizes, beginning with the wait that stalled.
   */
  async function stepsAsOneActivity(current: number, sync: PlanFromCluster): Promise<Taken> {
    const up = nextScaleUp(state(), limits);
    const needed = availableToShrink({ ...state(), newReplicas: up }, limits);
    gate.report(current, totalSteps(), { what: `${needed} available pods of ${to.label}, then ${from.label} shrunk`, side: to.side });
    const backToBack = sync.stepsBackToBack === true;
    const budget = backToBack ? Math.max(1, Math.min(MAX_STEPS_PER_CALL, gate.stepsBeforeHold(current - 1))) : 1;
    let next: { waitFirst?: StalledWait; steps: number } = { steps: budget };
    // Only the first call a pause may stop: the rest of a step it stopped is finished before the hold.
    let pausable = backToBack;
    let taken = 0;
    for (;;) {
      const number = current + taken;
      const summary = !backToBack
        ? `step ${number}: ${to.label} up to ${up}, then ${from.label} down`
        : next.steps === 0 || !pausable
          ? `the rest of step ${number}: ${to.label} up, ${from.label} down`
          : `steps ${number} to ${number + next.steps - 1} at most: ${to.label} up, ${from.label} down`;
      try {
        const done = await gate.run(
          () =>
            cluster.rollStep(
              {
                namespace: r.namespace,
                app: to.app,
                limits,
                minReadySeconds: r.minReadySeconds,
                progressDeadlineSeconds: r.progressDeadlineSeconds,
                detectTampering: r.detectTampering,
                to: { label: to.label, members: to.members, available: to.available },
                from: { label: from.label, members: from.members, available: from.available },
                ...(next.waitFirst && { waitFirst: next.waitFirst }),
                ...(sync.stepChecksPlan && { checkPlan: true }),
                replaceAsReady: true,
                ...(backToBack && { steps: next.steps }),
              },
              summary,
              `${sync.idPrefix}-${number}`,
            ),
          { pausable },
        );
        to.takeStep(done.to);
        from.takeStep(done.from);
        // One step a call, as recorded, for deploys from before: their activity ids count steps so.
        taken += backToBack ? (done.steps ?? 1) : 1;
        if (!done.unfinished) return { steps: taken, sizesKnown: true };
        next = done.unfinished;
        pausable = false;
      } catch (err) {
        // A worker from before the steps back to back ends a cancelled step without saying
        // where it stopped: the next step plans from the cluster.
        if (pausable && isCancellation(err)) return { steps: taken, sizesKnown: false };
        const stall = stallOf(err);
        if (!stall) throw err;
        await gate.onStall(stall);
        await sync.sync();
        const details = stall.details?.[0] as { stalledWait?: StalledWait; stepsDone?: number } | undefined;
        if (backToBack) taken += details?.stepsDone ?? 0;
        next = { ...(details?.stalledWait && { waitFirst: details.stalledWait }), steps: Math.max(1, budget - taken) };
      }
    }
  }
}

/** What a call of steps did: whole steps taken, and whether the sizes it handed back are the cluster's. */
interface Taken {
  steps: number;
  sizesKnown: boolean;
}

async function waitStep(r: RollingUpdate, side: RcGroup, minAvailable: number, maxPods: number, gate: StepGate, activityId?: string): Promise<PodCounts> {
  for (;;) {
    try {
      return await gate.run(() =>
        cluster.waitForPods(
          {
            namespace: r.namespace,
            target: side.label,
            app: side.app,
            rcs: side.members.map((m) => m.name),
            minAvailable,
            maxPods,
            minReadySeconds: r.minReadySeconds,
            progressDeadlineSeconds: r.progressDeadlineSeconds,
            expect: r.detectTampering ? [...r.to.members, ...r.from.members].map((m) => ({ name: m.name, replicas: m.replicas })) : [],
            ...(r.planFromCluster && { stalePlanAtStart: true }),
          },
          `wait for ${side.label}: ${minAvailable} available, at most ${maxPods} pods`,
          activityId,
        ),
      );
    } catch (err) {
      const stall = stallOf(err);
      if (!stall) throw err;
      await gate.onStall(stall);
    }
  }
}

function isStalePlan(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === 'StalePlan';
}

function tamperedAfterStalePlans(err: unknown): ApplicationFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const message = `the RCs kept changing under the rollout (${MAX_STALE_PLANS} plans in a row were stale): ${cause instanceof Error ? cause.message : String(cause)}`;
  return ApplicationFailure.create({ type: 'RolloutTampered', nonRetryable: true, message, details: [{ reason: 'RolloutTampered' }] });
}

/** The RolloutStalled failure inside an activity failure, if that is what it is. */
export function stallOf(err: unknown): ApplicationFailure | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === 'RolloutStalled' ? cause : undefined;
}

function safeCountSteps(desired: number, oldReplicas: number, limits: RolloutLimits, newReplicas: number): number {
  try {
    return countSteps(desired, oldReplicas, limits, newReplicas);
  } catch {
    return 0;
  }
}
