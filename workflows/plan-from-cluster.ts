// Reset-safe rollouts: every step starts from the RCs as the cluster runs them.
// A Temporal Reset replays a deploy's history up to a workflow task and goes on
// from there with the counts it remembered then; a continue-as-new starts with
// the counts the last run saw. Either way the next step must plan from now.
import type { ReplicationControllerManifest } from '../domain/render.js';
import * as cluster from './cluster.js';
import type { PlanFromCluster } from './rolling-update.js';
import type { Rollout } from './rollback.js';

/**
 * Syncs both sides of `rollout` before each step. Forward, a new RC that is
 * gone (a reset to before a rollback that deleted it) is created again from
 * the manifest this deploy rendered, at 0 replicas, and rolled to once more.
 */
export function planFromCluster(rollout: Rollout, direction: 'forward' | 'back'): PlanFromCluster {
  const { namespace, name } = rollout.spec;
  return {
    idPrefix: direction === 'forward' ? 'step' : 'rollback',
    ...(rollout.oneActivityPerStep && { oneActivityPerStep: true }),
    ...(rollout.stepChecksPlan && { stepChecksPlan: true }),
    ...(rollout.stepsBackToBack && { stepsBackToBack: true }),
    async sync() {
      const rcs = new Map((await cluster.observe(namespace, name)).map((rc) => [rc.name, rc]));
      const newName = rollout.to.members[0]?.name;
      if (direction === 'forward' && rollout.manifest && !rollout.scaleOnly && newName && !rcs.has(newName)) {
        const rc = await cluster.create(atZero(rollout.manifest), rollout.calls);
        rcs.set(rc.name, rc);
        rollout.created = true;
      }
      rollout.to.syncWith(rcs);
      rollout.from.syncWith(rcs);
    },
  };
}

function atZero(manifest: ReplicationControllerManifest): ReplicationControllerManifest {
  return { ...manifest, spec: { ...manifest.spec, replicas: 0 } };
}
