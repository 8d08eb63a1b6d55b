// The bench's reaction figures (bench/reaction.ts) read from audit-log requests:
// which calls count as a step's scale-up, and where a rollout's start ends.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from '../../bench/audit.js';
import { reactionLatency } from '../../bench/reaction.js';

const worker = (verb: string, resource: string, name: string, at: number): Request => ({ actor: 'deployflow-worker', verb, resource, name, at });

describe('bench reaction latency', () => {
  const requests = [
    worker('get', 'secrets', 'environment', 1040),
    worker('create', 'replicationcontrollers', 'app-new', 1100),
    worker('update', 'replicationcontrollers/scale', 'app-new', 1120),
    worker('update', 'replicationcontrollers/scale', 'app-old', 2030),
    worker('update', 'replicationcontrollers/scale', 'app-new', 2070),
    { actor: 'deployment-controller', verb: 'create', resource: 'replicasets', name: 'other', at: 1001 },
  ];

  test("a rollout's start ends at its own orchestrator's create of the new RC", () => {
    assert.equal(reactionLatency('deployflow', requests, [], 1000).startMs, 100);
    assert.equal(reactionLatency('deployment', requests, [], 1000).startMs, 1);
  });

  test('a Ready pod is followed by the first scale of either side and by the next scale-up of the new RC', () => {
    const r = reactionLatency('deployflow', requests, [{ pod: 'p1', at: 2000 }], 1000);
    assert.deepEqual(r.firstMs, [30]);
    assert.deepEqual(r.scaleUpMs, [70]);
    assert.equal(r.scaleCalls, 3);
  });

  test('no create seen, no start figure', () => {
    assert.equal(reactionLatency('deployflow', requests.slice(2), [], 1000).startMs, undefined);
  });
});
