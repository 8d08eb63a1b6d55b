// The rolling-update arithmetic of `kubectl rolling-update`, kept pure so it can be
// table-tested and property-tested. The workflow drives it in a loop:
//
//   up   = nextScaleUp(state)    -> scale the new RC, wait until its pods are available
//                                   (a step activity: until availableToShrink(state) of them are)
//   down = nextScaleDown(state)  -> scale the old RC
//   repeat until isRolloutDone(state)
//
// Scale-up is bounded by surge (I2: pods <= desired + maxSurge); scale-down by
// availability (I1: available pods >= desired - maxUnavailable).
import type { StrategySpec } from './spec.js';
import { invalidSpec } from './errors.js';
import { parseIntOrPercent, scaledValue } from './int-or-percent.js';

export interface RolloutLimits {
  maxSurge: number;
  maxUnavailable: number;
}

export interface RolloutState {
  desired: number;
  oldReplicas: number;
  newReplicas: number;
  oldAvailable: number;
  newAvailable: number;
}

export interface RolloutStep {
  newTarget: number;
  oldTarget: number;
}

/**
 * Resolves the strategy against the desired replicas: surge rounds up, unavailable
 * rounds down (both lean towards availability). Both resolving to 0 leaves no room to
 * move, except with 0 desired replicas, where there is nothing to roll.
 */
export function resolveLimits(strategy: Pick<StrategySpec, 'maxSurge' | 'maxUnavailable'>, desired: number): RolloutLimits {
  const surge = parseIntOrPercent(strategy.maxSurge);
  const unavailable = parseIntOrPercent(strategy.maxUnavailable);
  if (!surge) throw invalidSpec('strategy.maxSurge', 'must be a non-negative integer or a percentage like "25%"');
  if (!unavailable) throw invalidSpec('strategy.maxUnavailable', 'must be a non-negative integer or a percentage like "25%"');
  const limits = { maxSurge: scaledValue(surge, desired, 'up'), maxUnavailable: scaledValue(unavailable, desired, 'down') };
  if (desired > 0 && limits.maxSurge === 0 && limits.maxUnavailable === 0) {
    throw invalidSpec('strategy', 'maxSurge and maxUnavailable cannot both be 0');
  }
  return limits;
}

/**
 * Target size of the new RC: grow by whatever room surge leaves, never beyond desired.
 * It never shrinks the new RC, with one exception: if desired dropped below the new
 * RC's size mid-rollout, the new RC comes down to desired, or the rollout could never end.
 */
export function nextScaleUp(s: RolloutState, limits: RolloutLimits): number {
  if (s.newReplicas >= s.desired) return s.desired;
  const room = Math.max(0, s.desired + limits.maxSurge - s.oldReplicas - s.newReplicas);
  return Math.min(s.desired, s.newReplicas + room);
}

/**
 * Target size of the old RC: shrink as far as keeps `desired - maxUnavailable` pods available.
 *
 * Like kubectl, old pods count as if available ("a volatile old controller"): unavailable
 * old pods serve nothing, so removing them costs no availability, and the replication
 * controller deletes not-ready pods first. This is what lets a rollout replace an old
 * version that never became fully ready. With a healthy old RC this is exactly
 * `oldAvailable + newAvailable - minAvailable`.
 */
export function nextScaleDown(s: RolloutState, limits: RolloutLimits): number {
  if (s.oldReplicas === 0) return 0;
  const minAvailable = Math.max(0, s.desired - limits.maxUnavailable);
  const oldUnavailable = Math.max(0, s.oldReplicas - s.oldAvailable);
  const decrement = s.oldAvailable + s.newAvailable - minAvailable + oldUnavailable;
  return decrement <= 0 ? s.oldReplicas : Math.max(0, s.oldReplicas - decrement);
}

/**
 * The fewest available new pods that let the old side shrink by at least one
 * (what a step that replaces as pods turn ready waits for, issue 19): kubectl
 * scales down as soon as availability allows, not after the whole batch. With
 * nothing left to shrink, or no count that allows it, all the new pods.
 */
export function availableToShrink(s: RolloutState, limits: RolloutLimits): number {
  if (s.oldReplicas > 0) {
    for (let n = 0; n < s.newReplicas; n++) if (nextScaleDown({ ...s, newAvailable: n }, limits) < s.oldReplicas) return n;
  }
  return s.newReplicas;
}

export function isRolloutDone(s: RolloutState): boolean {
  return s.newReplicas === s.desired && s.oldReplicas === 0 && s.newAvailable >= s.desired;
}

/**
 * The steps of a rollout, assuming every scale-up becomes fully available before the
 * following scale-down (what the workflow waits for). Used to show "step k of n"; the
 * live rollout recomputes each step from observed counts.
 */
export function planRollout(desired: number, oldStart: number, limits: RolloutLimits, newStart = 0): RolloutStep[] {
  const steps: RolloutStep[] = [];
  let oldReplicas = oldStart;
  let newReplicas = newStart;
  // Each step frees at least one pod of room, so this bound is never reached by valid input.
  const maxSteps = 2 * (desired + oldStart + newStart) + 2;
  const state = () => ({ desired, oldReplicas, newReplicas, oldAvailable: oldReplicas, newAvailable: newReplicas });
  while (!isRolloutDone(state())) {
    if (steps.length >= maxSteps) {
      throw invalidSpec('strategy', `rollout makes no progress (maxSurge ${limits.maxSurge}, maxUnavailable ${limits.maxUnavailable})`);
    }
    newReplicas = nextScaleUp(state(), limits);
    oldReplicas = nextScaleDown(state(), limits);
    steps.push({ newTarget: newReplicas, oldTarget: oldReplicas });
  }
  return steps;
}

export function countSteps(desired: number, oldStart: number, limits: RolloutLimits, newStart = 0): number {
  return planRollout(desired, oldStart, limits, newStart).length;
}

/**
 * A first deploy (no old RC) creates the RC at full size in one step: there is no
 * serving version to protect, so stepping would only slow it down. Limits are accepted
 * for symmetry with planRollout and deliberately ignored.
 */
export function planFirstDeploy(desired: number, _limits?: RolloutLimits): RolloutStep[] {
  return desired > 0 ? [{ newTarget: desired, oldTarget: 0 }] : [];
}
