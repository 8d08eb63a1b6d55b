// A whole rollout step in one activity (issue 19): grow the new side, wait for
// its pods, shrink the old side, wait — the workflow's own step sequence
// (domain/rollout-step.ts), run here with the guarded scale and the pod wait,
// so a step costs one round trip through Temporal instead of two activities
// and their workflow tasks. The workflow plans nothing less: it syncs both
// sides from the cluster before each step and hands them in; every scale is a
// compare-and-set, so a stale picture is StalePlan, never a wrong write. The
// heartbeat carries the live counts and which side is awaited.
import { ApplicationFailure } from '@temporalio/common';
import { memberSizes, runRolloutStep, type SizedMember, type StepOps, type StepSide } from '../domain/rollout-step.js';
import type { RolloutLimits, RolloutState } from '../domain/rollout.js';
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
}

/** The heartbeat of a step: the awaited side's pod counts, and which side that is. */
export type StepHeartbeat = PodCounts & { side: 'new' | 'old'; awaiting: string };

export interface StepCalls {
  /** The guarded compare-and-set scale (scaleReplicationController with `from`). */
  scale(input: { namespace: string; name: string; replicas: number; from: number }): Promise<void>;
  /** The pod wait; `side` is for the heartbeat. */
  wait(input: PodWaitInput, side: 'new' | 'old', awaiting: string): Promise<PodCounts>;
  /** Fails as StalePlan unless every named RC runs the given size. */
  checkPlan(input: PlanCheckInput): Promise<void>;
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
  const sideName = (side: StepSide) => (side === 'to' ? 'new' : 'old');

  const ops: StepOps = {
    state,
    async scale(side, size) {
      for (const [name, replicas] of memberSizes(sides[side].members, size)) {
        const m = sides[side].members.find((x) => x.name === name)!;
        if (replicas === m.replicas) continue;
        await calls.scale({ namespace: input.namespace, name, replicas, from: m.replicas });
        m.replicas = replicas;
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
        s.available = (await calls.wait(wait, sideName(side), awaiting)).available;
      } catch (err) {
        throw withStalledWait(err, { side, minAvailable, maxPods });
      }
    },
  };
  if (input.checkPlan) {
    const expect = [...sides.to.members, ...sides.from.members].map(({ name, replicas }) => ({ name, replicas }));
    await calls.checkPlan({ namespace: input.namespace, app: input.app, target: sides.to.label, expect });
  }
  if (input.waitFirst) await ops.wait(input.waitFirst.side, input.waitFirst.minAvailable, input.waitFirst.maxPods);
  await runRolloutStep(ops, input.limits, { replaceAsReady: input.replaceAsReady === true });
  const result = (s: StepSideInput): StepSideResult => ({ replicas: Object.fromEntries(s.members.map((m) => [m.name, m.replicas])), available: s.available });
  return { to: result(sides.to), from: result(sides.from) };
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
  };
}

/** A stalled wait's failure, saying which wait it was (so the retry waits again there first). */
function withStalledWait(err: unknown, wait: StalledWait): unknown {
  if (!(err instanceof ApplicationFailure) || err.type !== 'RolloutStalled') return err;
  const details = err.details?.[0];
  const stalledWait = { ...(typeof details === 'object' && details !== null ? details : {}), stalledWait: wait };
  return ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: err.nonRetryable ?? undefined, details: [stalledWait, ...(err.details ?? []).slice(1)] });
}

function copy(s: StepSideInput): StepSideInput {
  return { label: s.label, members: s.members.map((m) => ({ ...m })), available: s.available };
}
