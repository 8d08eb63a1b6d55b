// One step of a rolling update, as one sequence for both places that run it:
// the workflow (a scale and a wait at a time, each its own call) and the
// step activity (the whole step in one call, issue 19). Grow the `to` side by
// what surge allows and wait for its pods; then shrink the `from` side by what
// availability allows and wait. Pure: the scales and waits are handed in.
//
// The workflow's own steps wait for all of the step's new pods. The step
// activity may instead wait only until enough are available to shrink the old
// side (`replaceAsReady`): an old pod goes as soon as a new one can stand in
// for it, as kubectl and the Deployment controller do, instead of after the
// slowest pod of the batch. Its steps are smaller and more; the same limits
// bind every scale.
import { availableToShrink, nextScaleDown, nextScaleUp, type RolloutLimits, type RolloutState } from './rollout.js';

export type StepSide = 'to' | 'from';

/**
 * The most steps one step activity takes back to back: as many as a workflow
 * run may take before it continues as new (workflows/continuation.ts).
 */
export const MAX_STEPS_PER_CALL = 1000;

export interface StepOps {
  /** Both sides as they stand now (waits update the available counts). */
  state(): RolloutState;
  scale(side: StepSide, total: number): Promise<void>;
  /** Until `minAvailable` of the side's pods are available and at most `maxPods` run. */
  wait(side: StepSide, minAvailable: number, maxPods: number): Promise<void>;
}

export interface StepShape {
  /** Shrink the old side once enough new pods are available for it, not after all of them. */
  replaceAsReady?: boolean;
}

export async function runRolloutStep(ops: StepOps, limits: RolloutLimits, shape: StepShape = {}): Promise<void> {
  const before = ops.state();
  const up = nextScaleUp(before, limits);
  if (up !== before.newReplicas) await ops.scale('to', up);
  const needed = shape.replaceAsReady ? availableToShrink(ops.state(), limits) : up;
  if (up !== before.newReplicas || before.newAvailable < needed) await ops.wait('to', needed, up);

  const grown = ops.state();
  const down = nextScaleDown(grown, limits);
  if (down !== grown.oldReplicas) {
    await ops.scale('from', down);
    await ops.wait('from', 0, down);
  }
}

export interface SizedMember {
  name: string;
  revision: number;
  replicas: number;
  /** The size this RC ends at when its side wins. */
  target: number;
}

/**
 * The size of each member when its side goes to `total` pods. Shrinking
 * empties the oldest revision first (the Deployment controller's order);
 * growing refills the newest first, never past each RC's target (what is
 * left over goes to the newest).
 */
export function memberSizes(members: readonly SizedMember[], total: number): Map<string, number> {
  const current = members.reduce((sum, m) => sum + m.replicas, 0);
  let remaining = total;
  const sizes = new Map<string, number>();
  for (const m of [...members].sort((a, b) => b.revision - a.revision)) {
    const size = total >= current ? Math.min(m.target, Math.max(m.replicas, remaining)) : Math.min(m.replicas, remaining);
    sizes.set(m.name, size);
    remaining -= size;
  }
  const newest = [...members].sort((a, b) => b.revision - a.revision)[0];
  if (remaining > 0 && newest) sizes.set(newest.name, (sizes.get(newest.name) ?? 0) + remaining);
  return sizes;
}
