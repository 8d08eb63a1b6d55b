// A rollback whose step stalls: with nothing wrong in the pods (a slow or
// recovering control plane, e.g. after an apiserver outage) it waits again, a
// bounded number of times, and ends RolledBack; with a pod problem, or once
// the patience is spent, it fails. See test/reliability/outages.test.ts for
// the same on the real stack.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForResult } from '../../client/api.js';
import { workflowHarness, SIDE_BY_SIDE } from '../helpers/workflow-env.js';
import type { PodWaitInput } from '../../activities/index.js';

const V1 = 'registry.example/awesome-api:1.0.0';
const V2 = 'registry.example/awesome-api:2.0.0';

/** Stalls v2's first wait (so it rolls back), then the rollback's first `rollbackStalls` waits. */
function stalls(rollbackStalls: number) {
  let forward = false;
  let back = 0;
  const stall = (input: PodWaitInput): boolean => {
    if (!input.target.startsWith('awesome-api-')) return false;
    if (!forward && input.minAvailable > 0) return (forward = true);
    if (forward && input.minAvailable === 0 && back < rollbackStalls) return ++back > 0;
    return false;
  };
  stall.reset = () => {
    forward = false;
    back = 0;
  };
  return stall;
}

describe('rollback with a stalled step', { concurrency: SIDE_BY_SIDE }, () => {
  test('quiet stalls (ProgressDeadlineExceeded, no pod problem): the rollback waits again and ends RolledBack', async () => {
    let v2Started = false;
    const stall = stalls(2);
    const h = await workflowHarness({ stallReason: 'ProgressDeadlineExceeded', stall: (input) => v2Started && stall(input) });
    try {
      const v1 = await waitForResult(await h.start(V1));
      v2Started = true;
      const result = await waitForResult(await h.start(V2));
      assert.equal(result.outcome, 'RolledBack', result.message);
      assert.deepEqual(h.cluster.replicasOf(), { [v1.rc!]: 3 });
    } finally {
      await h.close();
    }
  });

  test('quiet stalls that never end: the rollback fails after max(5 deadlines, 120 s) more', async () => {
    let v2Started = false;
    const stall = stalls(100);
    const h = await workflowHarness({ stallReason: 'ProgressDeadlineExceeded', stall: (input) => v2Started && stall(input) });
    try {
      await waitForResult(await h.start(V1));
      v2Started = true;
      for (const [deadline, retries] of [
        [300, 5], // five deadlines are more than 120 s
        [10, 12], // 120 s of deadlines
      ]) {
        const waitsBefore = h.cluster.waits;
        const result = await waitForResult(await h.start(V2, h.spec({ strategy: { progressDeadlineSeconds: deadline } })));
        assert.equal(result.outcome, 'Failed');
        assert.match(result.message, /did not complete/);
        // The forward wait, then the rollback's wait and its retries.
        assert.equal(h.cluster.waits - waitsBefore, 1 + 1 + retries!, `deadline ${deadline}s`);
        stall.reset();
      }
    } finally {
      await h.close();
    }
  });

  test('a rollback stall that names a pod problem fails at once', async () => {
    let v2Started = false;
    const stall = stalls(100);
    const h = await workflowHarness({ stallReason: 'CrashLoopBackOff', stall: (input) => v2Started && stall(input) });
    try {
      await waitForResult(await h.start(V1));
      v2Started = true;
      const waitsBefore = h.cluster.waits;
      const result = await waitForResult(await h.start(V2));
      assert.equal(result.outcome, 'Failed');
      assert.equal(h.cluster.waits - waitsBefore, 2);
    } finally {
      await h.close();
    }
  });
});
