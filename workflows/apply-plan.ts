// Step 3 of a deploy decides what to do from the app's RCs as they are:
// nothing, a scale, or a rolling update (creating the new RC if needed).
import type { RcInfo } from '../activities/index.js';

export type ApplyPlan =
  /** The same template already serves at the desired size: nothing changes, no pod restarts. */
  | { kind: 'unchanged'; rc: RcInfo }
  /** The same template serves alone at another size: a replicas-only change. */
  | { kind: 'scale'; rc: RcInfo }
  /**
   * Roll from the serving RCs to the new template. `existing` is set when an RC
   * with the new hash is already there (a kept revision, or an interrupted deploy).
   */
  | { kind: 'roll'; existing?: RcInfo; serving: RcInfo[]; createdByThisDeploy?: true };

/**
 * `deployId` names this deploy (ANNOTATIONS.deployId). An RC it created itself is
 * rolled to, never taken for one already serving: a worker that dies right after a
 * local create has its workflow task redone, and the redo lists the RC it made.
 */
export function planApply(rcs: RcInfo[], newHash: string, desired: number, deployId?: string): ApplyPlan {
  const existing = rcs.find((rc) => rc.hash === newHash);
  const serving = rcs.filter((rc) => rc.hash !== newHash && rc.replicas > 0);
  if (existing && deployId !== undefined && existing.deployId === deployId) return { kind: 'roll', existing, serving, createdByThisDeploy: true };
  if (existing && serving.length === 0 && existing.replicas > 0) {
    return existing.replicas === desired ? { kind: 'unchanged', rc: existing } : { kind: 'scale', rc: existing };
  }
  return { kind: 'roll', existing, serving };
}

/** Old RCs past `revisionHistoryLimit` (newest kept), which a successful deploy deletes. */
export function revisionsToDelete(rcs: RcInfo[], keepName: string, revisionHistoryLimit: number): RcInfo[] {
  const old = rcs.filter((rc) => rc.name !== keepName).sort((a, b) => b.revision - a.revision);
  return old.slice(revisionHistoryLimit);
}

export function nextRevision(rcs: RcInfo[]): number {
  return rcs.reduce((max, rc) => Math.max(max, rc.revision), 0) + 1;
}
