// Step 3, create-or-replace: turns the plan into the two sides of a rollout,
// creating the new RC when it does not exist yet.
import type { AppSpec } from '../domain/spec.js';
import type { ReplicationControllerManifest } from '../domain/render.js';
import type { RcInfo } from '../activities/index.js';
import * as cluster from './cluster.js';
import type { ApplyPlan } from './apply-plan.js';
import { RcGroup } from './rc-group.js';
import type { Rollout } from './rollback.js';

export async function apply(
  spec: AppSpec,
  plan: Exclude<ApplyPlan, { kind: 'unchanged' }>,
  manifest: ReplicationControllerManifest,
  resetSafe: boolean,
  calls: cluster.CallMode = 'task-queue',
): Promise<Rollout> {
  if (plan.kind === 'scale') {
    const to = sideOf(spec, plan.rc.name, [{ ...plan.rc, desiredReplicas: spec.replicas }], 'new', plan.rc.availableReplicas);
    return { spec, to, from: sideOf(spec, plan.rc.name, [], 'old', 0), created: false, scaleOnly: { name: plan.rc.name, original: plan.rc.replicas }, resetSafe };
  }
  const { serving, existing } = plan;
  // A first deploy has nothing serving to protect: the RC starts at full size.
  const initial = serving.length === 0 ? spec.replicas : 0;
  const rc = existing ?? (await cluster.create({ ...manifest, spec: { ...manifest.spec, replicas: initial } }, calls));
  const to = sideOf(spec, rc.name, [{ ...rc, desiredReplicas: spec.replicas }], 'new', existing?.availableReplicas ?? 0);
  const from = sideOf(spec, rc.name, serving, 'old', serving.reduce((n, o) => n + o.availableReplicas, 0));
  const created = !existing || plan.createdByThisDeploy === true;
  return { spec, to, from, created, resetSafe, ...(resetSafe && { manifest }) };
}

/** The new side is the RC with the new hash; the old side is every other RC of the app. */
export function sideOf(spec: AppSpec, newName: string, rcs: RcInfo[], side: 'new' | 'old', available: number): RcGroup {
  const members = rcs.map((rc) => ({
    name: rc.name,
    revision: rc.revision,
    replicas: rc.replicas,
    target: side === 'new' ? rc.desiredReplicas : rc.replicas,
  }));
  return side === 'new'
    ? new RcGroup(spec.namespace, spec.name, side, newName, members, available)
    : new RcGroup(spec.namespace, spec.name, side, `old RCs of ${spec.name}`, members, available);
}
