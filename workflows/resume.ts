// A run continued as new picks its rollout up from what the last run handed
// on. The hand-over is input like any other (anyone can start a workflow with
// one), so it is checked against the admitted value: the new side must be the
// RC this spec and image render, and every size is re-read from the cluster
// before the first step anyway.
import { ApplicationFailure } from '@temporalio/workflow';
import type { AppSpec } from '../domain/spec.js';
import type { Continuation } from './continuation.js';
import { RcGroup, type Member } from './rc-group.js';
import type { Rollout } from './rollback.js';

export function resumedRollout(spec: AppSpec, rcName: string | undefined, c: Continuation): Rollout {
  const newName = c.to[0]?.name;
  const fromNames = new Set(c.from.map((m) => m.name));
  if (newName === undefined || newName !== rcName || fromNames.has(newName) || c.from.some((m) => !m.name.startsWith(`${spec.name}-`))) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      nonRetryable: true,
      message: `continued: the rollout it carries is not this deploy's (new RC ${JSON.stringify(newName)}, expected ${rcName}); nothing was written`,
    });
  }
  const copy = (members: Member[]) => members.map(({ name, revision, replicas, target }) => ({ name, revision, replicas, target }));
  return {
    spec,
    to: new RcGroup(spec.namespace, spec.name, 'new', newName, copy(c.to), 0),
    from: new RcGroup(spec.namespace, spec.name, 'old', `old RCs of ${spec.name}`, copy(c.from), 0),
    created: c.created,
    ...(c.scaleOnly && { scaleOnly: { name: c.scaleOnly.name, original: c.scaleOnly.original } }),
    resetSafe: true,
    ...(c.oneActivityPerStep === true && { oneActivityPerStep: true }),
  };
}

/** Malformed hand-over: refused before anything is written. */
export function invalidContinuation(): ApplicationFailure {
  return ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: 'continued: malformed (a deploy writes it only when it continues as new); nothing was written' });
}
