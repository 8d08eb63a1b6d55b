// One side of a rolling update: the RCs being scaled up ("to") or down
// ("from"). Usually one RC each; several old RCs serve at once only when an
// earlier deploy was interrupted by something deployflow did not control.
import type { RcInfo } from '../activities/index.js';
import { memberSizes, type SizedMember } from '../domain/rollout-step.js';
import * as cluster from './cluster.js';

/** One RC of a side; `target` is the size it ends at when its side wins: desired for the new RC, the original size for old ones. */
export type Member = SizedMember;

export class RcGroup {
  constructor(
    readonly namespace: string,
    /** The app both sides belong to. */
    readonly app: string,
    readonly side: 'new' | 'old',
    /** For messages: `awesome-api-7f3c` or `old RCs of awesome-api`. */
    readonly label: string,
    /** This side's pods are the pods these RCs own. */
    readonly members: Member[],
    /** Available pods, as last observed. */
    public available: number,
  ) {}

  get replicas(): number {
    return this.members.reduce((sum, m) => sum + m.replicas, 0);
  }

  get target(): number {
    return this.members.reduce((sum, m) => sum + m.target, 0);
  }

  /**
   * Scales the side to `total` pods, member by member (domain/rollout-step.ts
   * memberSizes). With `compareAndSet`, each scale applies only to an RC still
   * at the size this side believes (else StalePlan).
   */
  async scaleTo(total: number, compareAndSet = false): Promise<void> {
    const sizes = memberSizes(this.members, total);
    for (const m of this.members) {
      const size = sizes.get(m.name) ?? 0;
      if (size !== m.replicas) {
        await (compareAndSet ? cluster.scaleLocal(this.namespace, m.name, size, m.replicas) : cluster.scale(this.namespace, m.name, size));
        m.replicas = size;
      }
    }
  }

  /** Takes the sizes and availability a step activity ended with. */
  takeStep(after: { replicas: Record<string, number>; available: number }): void {
    for (const m of this.members) m.replicas = after.replicas[m.name] ?? m.replicas;
    this.available = after.available;
  }

  /** Takes sizes and availability from the cluster's RCs; a member that is gone counts as 0. */
  syncWith(rcs: ReadonlyMap<string, RcInfo>): void {
    let available = 0;
    for (const m of this.members) {
      const rc = rcs.get(m.name);
      m.replicas = rc?.replicas ?? 0;
      available += Math.min(m.replicas, rc?.availableReplicas ?? 0);
    }
    this.available = available;
  }
}
