// Reaction latency: from a new pod turning Ready to the orchestrator's next
// scale call (from the audit log: same clock, microsecond resolution).
//  - first reaction: the first scale call after a Ready, of either side;
//  - next scale-up: the next growth of the new RC/ReplicaSet (a whole step's turnaround);
//  - start: from the trigger to the orchestrator creating the new RC/ReplicaSet
//    (what a rollout costs before its first step: for deployflow the workflow's
//    start, its admission, the secret check, the RC list).
import type { Request } from './audit.js';
import type { ReadyEvent } from './pod-observer.js';
import type { SystemName } from './system.js';

export interface Reaction {
  firstMs: number[];
  scaleUpMs: number[];
  scaleCalls: number;
  /** Trigger → the new RC / ReplicaSet created (absent in runs made before it was measured). */
  startMs?: number;
}

/** The orchestrator's writes that resize one side, and the object it created for the new side. */
export function scaleCallsOf(system: SystemName, requests: Request[]): { calls: Request[]; created?: string; createdAt?: number } {
  const df = system === 'deployflow';
  const mine = requests.filter((r) => r.actor === (df ? 'deployflow-worker' : 'deployment-controller'));
  const create = mine.find((r) => r.verb === 'create' && r.resource === (df ? 'replicationcontrollers' : 'replicasets'));
  return {
    calls: df
      ? mine.filter((r) => r.verb === 'update' && r.resource === 'replicationcontrollers/scale')
      : mine.filter((r) => (r.verb === 'update' || r.verb === 'patch') && r.resource === 'replicasets'),
    created: create?.name,
    createdAt: create?.at,
  };
}

export function reactionLatency(system: SystemName, requests: Request[], ready: ReadyEvent[], triggeredAt: number): Reaction {
  const { calls, created, createdAt } = scaleCallsOf(system, requests);
  const readyTimes = ready.map((r) => r.at).sort((a, b) => a - b);
  const latestReadyBefore = (t: number) => {
    let found: number | undefined;
    for (const at of readyTimes) {
      if (at > t) break;
      found = at;
    }
    return found;
  };
  const out: Reaction = { firstMs: [], scaleUpMs: [], scaleCalls: calls.length, ...(createdAt !== undefined && { startMs: createdAt - triggeredAt }) };
  let previousCall = Number.NEGATIVE_INFINITY;
  for (const call of calls) {
    const trigger = latestReadyBefore(call.at);
    if (trigger !== undefined && trigger > previousCall) out.firstMs.push(call.at - trigger);
    if (trigger !== undefined && call.name === created) out.scaleUpMs.push(call.at - trigger);
    previousCall = call.at;
  }
  return out;
}
