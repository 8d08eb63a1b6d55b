// One side of a rolling update: the RCs being scaled up ("to") or down
// ("from"). Usually one RC each; several old RCs serve at once only when an
// earlier deploy was interrupted by something deployflow did not control.
import type { RcInfo } from '../activities/index.js';
import * as cluster from './cluster.js';

export interface Member {
  name: string;
  revision: number;
  replicas: number;
  /** The size this RC ends at when its side wins: desired for the new RC, the original size for old ones. */
  target: number;
}

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
   * Scales the side to `total` pods. Shrinking empties the oldest revision
   * first (the Deployment controller's order); growing refills the newest
   * first, never past each RC's target. With `compareAndSet`, each scale
   * applies only to an RC still at the size this side believes (else StalePlan).
   */
  async scaleTo(total: number, compareAndSet = false): Promise<void> {
    let remaining = total;
    const byNewest = [...this.members].sort((a, b) => b.revision - a.revision);
    const sizes = new Map<string, number>();
    for (const m of byNewest) {
      const size = total >= this.replicas ? Math.min(m.target, Math.max(m.replicas, remaining)) : Math.min(m.replicas, remaining);
      sizes.set(m.name, size);
      remaining -= size;
    }
    if (remaining > 0 && byNewest[0]) sizes.set(byNewest[0].name, (sizes.get(byNewest[0].name) ?? 0) + remaining);
    for (const m of this.members) {
      const size = sizes.get(m.name) ?? 0;
      if (size !== m.replicas) {
        await (compareAndSet ? cluster.scaleLocal(this.namespace, m.name, size, m.replicas) : cluster.scale(this.namespace, m.name, size));
        m.replicas = size;
      }
    }
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
