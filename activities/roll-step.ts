// Rollout steps in one activity (issue 19): grow the new side, wait for its
// pods, shrink the old side, wait — the workflow's own step sequence
// (domain/rollout-step.ts), run here with the guarded scale and the pod wait.
// A step costs one round trip through Temporal instead of two activities and
// their workflow tasks; asked for `steps`, the activity takes them back to
// back, so a rollout costs a round trip only where the workflow must decide
// (a gate, a continue-as-new, a stall, a pause). The workflow hands in both
// sides as the cluster ran them; every scale is a compare-and-set, so a stale
// picture is StalePlan, never a wrong write. The heartbeat carries the live
// counts, which side is awaited and how many steps are done.
import { ApplicationFailure } from '@temporalio/common';
import { MAX_STEPS_PER_CALL, memberSizes, runRolloutStep, type SizedMember, type StepOps, type StepSide } from '../domain/rollout-step.js';
import { isRolloutDone, type RolloutLimits, type RolloutState } from '../domain/rollout.js';
import type { PodCounts, PodWaitInput } from './pods.js';
import type { PlanCheckInput } from './rc-sizes.js';
import { inputMapping, refuse } from './guard.js';

export interface StepSideInput {
  /** For messages: the new RC's name, or `old RCs of <app>`. */
  label: string;
  members: SizedMember[];
  /** Available pods, as the workflow last observed them. */
  available: number;
}

export interface RollStepInput {
  namespace: string;
  app: string;
  limits: RolloutLimits;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
  /** Fail a wait when someone else rescales or deletes an RC during it (off for rollbacks, which repair). */
  detectTampering: boolean;
  to: StepSideInput;
  from: StepSideInput;
  /**
   * The wait a stalled attempt of this step did not finish, done again first
   * (the workflow's answer to a stall is to wait again, as for a wait of its
   * own); then the step goes on from the sizes the workflow synced.
   */
  waitFirst?: StalledWait;
  /**
   * Before the first scale, compare both sides' sizes with the cluster's RCs
   * (StalePlan if they differ): the workflow then hands in the sizes the last
   * step ended with instead of reading the RCs before every step.
   */
  checkPlan?: boolean;
  /**
   * Shrink the old side as soon as enough new pods are available for it,
   * instead of after all of the step's new pods (domain/rollout-step.ts).
   * Absent (a step scheduled before there was this choice, retried by a newer
   * worker), the step waits for the whole batch it was planned with.
   */
  replaceAsReady?: boolean;
  /**
   * Take up to this many steps back to back (after `waitFirst`; 0 only with
   * it), ending early when the rollout is done. Asked for steps, the activity
   * also ends when cancelled, with a result: what it did, and what is left of
   * a step it was in the middle of (`unfinished`). Absent: one step, and a
   * cancellation fails it (steps scheduled before there was this choice).
   */
  steps?: number;
}

/** What is left of a step an activity was stopped in the middle of: the input fields that finish it. */
export interface UnfinishedStep {
  waitFirst?: StalledWait;
  steps: 0 | 1;
}

/** Which of a step's waits stalled, carried in the RolloutStalled failure's details. */
export interface StalledWait {
  side: StepSide;
  minAvailable: number;
  maxPods: number;
}

export interface StepSideResult {
  /** Each member's size after the step. */
  replicas: Record<string, number>;
  available: number;
}

export interface RollStepResult {
  to: StepSideResult;
  from: StepSideResult;
  /** Whole steps taken, with one a `waitFirst` for old pods finished (absent in results of workers from before: one). */
  steps?: number;
  /** Stopped by a cancellation in the middle of a step: what finishes it. */
  unfinished?: UnfinishedStep;
}

/** Both sides' sizes and available pods as the activity last set and saw them. */
export interface SideSizes {
  replicas: number;
  available: number;
}

/**
 * The heartbeat of a step: the awaited side's pod counts, which side that is,
 * the steps this activity has taken so far, and both sides as it last saw them.
 */
export type StepHeartbeat = PodCounts & { side: 'new' | 'old'; awaiting: string; stepsDone: number; sides: { new: SideSizes; old: SideSizes } };

export interface StepCalls {
  /** The guarded compare-and-set scale (scaleReplicationController with `from`). */
  scale(input: { namespace: string; name: string; replicas: number; from: number }): Promise<void>;
  /** The pod wait; `live` goes into its heartbeats. */
  wait(input: PodWaitInput, live: Omit<StepHeartbeat, keyof PodCounts>): Promise<PodCounts>;
  /** Fails as StalePlan unless every named RC runs the given size. */
  checkPlan(input: PlanCheckInput): Promise<void>;
  /** Whether the workflow asked this activity to stop (absent: never). */
  cancelled?(): boolean;
}

/** As many RCs per side as a continue-as-new hand-over may carry (several old ones only after interrupted deploys). */
const MAX_MEMBERS = 100;

export async function rollStep(raw: RollStepInput, calls: StepCalls): Promise<RollStepResult> {
  const input = checked(raw);
  const sides = { to: copy(input.to), from: copy(input.from) };
  const total = (side: StepSideInput) => side.members.reduce((n, m) => n + m.replicas, 0);
  const desired = sides.to.members.reduce((n, m) => n + m.target, 0);
  const state = (): RolloutState => ({
    desired,
    oldReplicas: total(sides.from),
    newReplicas: total(sides.to),
    oldAvailable: Math.min(sides.from.available, total(sides.from)),
    newAvailable: sides.to.available,
  });
  const sizes = (s: StepSideInput): SideSizes => ({ replicas: total(s), available: s.available });
  let stepsDone = 0;
  // What a cancellation now would leave undone of the step being taken.
  let unfinished: UnfinishedStep | undefined;

  const ops: StepOps = {
    state,
    async scale(side, size) {
      try {
        for (const [name, replicas] of memberSizes(sides[side].members, size)) {
          const m = sides[side].members.find((x) => x.name === name)!;
          if (replicas === m.replicas) continue;
          await calls.scale({ namespace: input.namespace, name, replicas, from: m.replicas });
          m.replicas = replicas;
        }
      } finally {
        // Once the old side shrank (even in part), only waiting for its pods to go is left of the step.
        if (side === 'from') unfinished = { waitFirst: { side: 'from', minAvailable: 0, maxPods: total(sides.from) }, steps: 0 };
      }
    },
    async wait(side, minAvailable, maxPods) {
      const s = sides[side];
      const awaiting = side === 'to' ? `${minAvailable} available pods of ${s.label}` : `${s.label} to shrink to ${maxPods} pods`;
      const wait: PodWaitInput = {
        namespace: input.namespace,
        target: s.label,
        app: input.app,
        rcs: s.members.map((m) => m.name),
        minAvailable,
        maxPods,
        minReadySeconds: input.minReadySeconds,
        progressDeadlineSeconds: input.progressDeadlineSeconds,
        expect: input.detectTampering ? [...sides.to.members, ...sides.from.members].map(({ name, replicas }) => ({ name, replicas })) : [],
        stalePlanAtStart: true,
      };
      try {
        const live = { side: sideName(side), awaiting, stepsDone, sides: { new: sizes(sides.to), old: sizes(sides.from) } };
        s.available = (await calls.wait(wait, live)).available;
      } catch (err) {
        throw withStalledWait(err, { side, minAvailable, maxPods }, stepsDone);
      }
    },
  };
  const result = (): RollStepResult => {
    const of = (s: StepSideInput): StepSideResult => ({ replicas: Object.fromEntries(s.members.map((m) => [m.name, m.replicas])), available: s.available });
    return { to: of(sides.to), from: of(sides.from), steps: stepsDone, ...(unfinished && { unfinished }) };
  };

  const backToBack = input.steps !== undefined;
  try {
    if (input.checkPlan) {
      const expect = [...sides.to.members, ...sides.from.members].map(({ name, replicas }) => ({ name, replicas }));
      await calls.checkPlan({ namespace: input.namespace, app: input.app, target: sides.to.label, expect });
    }
    if (input.waitFirst) {
      // The rest of a step an earlier attempt left: after a wait for new pods, its shrink is left too.
      unfinished = { waitFirst: input.waitFirst, steps: input.waitFirst.side === 'to' ? 1 : 0 };
      await ops.wait(input.waitFirst.side, input.waitFirst.minAvailable, input.waitFirst.maxPods);
      unfinished = undefined;
      // Taking steps, a wait for old pods to go ends the step it belongs to: that step counts here.
      if (backToBack && input.waitFirst.side === 'from') stepsDone += 1;
    }
    while (stepsDone < (input.steps ?? 1) && !isRolloutDone(state()) && !(backToBack && calls.cancelled?.())) {
      unfinished = { steps: 1 };
      await runRolloutStep(ops, input.limits, { replaceAsReady: input.replaceAsReady === true });
      unfinished = undefined;
      stepsDone += 1;
    }
  } catch (err) {
    // Asked for steps, a cancelled activity says what it did: the workflow needs the sizes it set.
    if (!backToBack || !calls.cancelled?.()) throw err;
  }
  return result();
}

function sideName(side: StepSide): 'new' | 'old' {
  return side === 'to' ? 'new' : 'old';
}

/** The shape of an untrusted step; names, namespace, sizes and the caller's lock are checked by the scale and the wait. */
function checked(raw: RollStepInput): RollStepInput {
  const input = inputMapping(raw, 'rollStep');
  const limits = inputMapping(input.limits, 'rollStep limits');
  const count = (v: unknown, field: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw refuse('InvalidInput', `rollStep: ${field} must be an integer >= 0`);
    return v;
  };
  const side = (v: unknown, field: string): StepSideInput => {
    const s = inputMapping(v, `rollStep ${field}`);
    if (typeof s.label !== 'string' || s.label.length > 300) throw refuse('InvalidInput', `rollStep: ${field}.label must be a short string`);
    if (!Array.isArray(s.members) || s.members.length > MAX_MEMBERS) throw refuse('InvalidInput', `rollStep: ${field}.members must be a list of at most ${MAX_MEMBERS}`);
    const members = s.members.map((m: unknown, i: number) => {
      const member = inputMapping(m, `rollStep ${field}.members[${i}]`);
      if (typeof member.name !== 'string') throw refuse('InvalidInput', `rollStep: ${field}.members[${i}].name must be a string`);
      return { name: member.name, revision: count(member.revision, `${field}.members[${i}].revision`), replicas: count(member.replicas, `${field}.members[${i}].replicas`), target: count(member.target, `${field}.members[${i}].target`) };
    });
    return { label: s.label, members, available: count(s.available, `${field}.available`) };
  };
  if (typeof input.namespace !== 'string' || typeof input.app !== 'string') throw refuse('InvalidInput', 'rollStep: namespace and app must be strings');
  if (typeof input.detectTampering !== 'boolean') throw refuse('InvalidInput', 'rollStep: detectTampering must be a boolean');
  const steps = input.steps === undefined ? undefined : count(input.steps, 'steps');
  if (steps !== undefined && (steps > MAX_STEPS_PER_CALL || (steps === 0 && input.waitFirst === undefined))) {
    throw refuse('InvalidInput', `rollStep: steps must be at most ${MAX_STEPS_PER_CALL}, and 0 only with waitFirst`);
  }
  for (const flag of ['checkPlan', 'replaceAsReady'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') throw refuse('InvalidInput', `rollStep: ${flag} must be a boolean`);
  }
  let waitFirst: StalledWait | undefined;
  if (input.waitFirst !== undefined) {
    const w = inputMapping(input.waitFirst, 'rollStep waitFirst');
    if (w.side !== 'to' && w.side !== 'from') throw refuse('InvalidInput', 'rollStep: waitFirst.side must be to or from');
    waitFirst = { side: w.side, minAvailable: count(w.minAvailable, 'waitFirst.minAvailable'), maxPods: count(w.maxPods, 'waitFirst.maxPods') };
  }
  const maxSurge = count(limits.maxSurge, 'limits.maxSurge');
  const maxUnavailable = count(limits.maxUnavailable, 'limits.maxUnavailable');
  if (maxSurge === 0 && maxUnavailable === 0) throw refuse('InvalidInput', 'rollStep: maxSurge and maxUnavailable cannot both be 0');
  return {
    namespace: input.namespace,
    app: input.app,
    limits: { maxSurge, maxUnavailable },
    minReadySeconds: count(input.minReadySeconds, 'minReadySeconds'),
    progressDeadlineSeconds: count(input.progressDeadlineSeconds, 'progressDeadlineSeconds'),
    detectTampering: input.detectTampering,
    to: side(input.to, 'to'),
    from: side(input.from, 'from'),
    ...(waitFirst && { waitFirst }),
    ...(input.checkPlan === true && { checkPlan: true }),
    ...(input.replaceAsReady === true && { replaceAsReady: true }),
    ...(steps !== undefined && { steps }),
  };
}

/** A stalled wait's failure, saying which wait it was (so the retry waits again there first) and how many steps came before it. */
function withStalledWait(err: unknown, wait: StalledWait, stepsDone: number): unknown {
  if (!(err instanceof ApplicationFailure) || err.type !== 'RolloutStalled') return err;
  const details = err.details?.[0];
  const stalledWait = { ...(typeof details === 'object' && details !== null ? details : {}), stalledWait: wait, stepsDone };
  return ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: err.nonRetryable ?? undefined, details: [stalledWait, ...(err.details ?? []).slice(1)] });
}

function copy(s: StepSideInput): StepSideInput {
  return { label: s.label, members: s.members.map((m) => ({ ...m })), available: s.available };
}
