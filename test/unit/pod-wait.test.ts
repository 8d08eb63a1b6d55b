// The pod wait's own clock: with minReadySeconds, a ready pod turns available
// without any watch event, so the wait must look again at that moment, not at
// its next periodic look. A fake watch records how long each look is put off.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { waitForPods, type PodWaitInput } from '../../activities/pods.js';
import type { ClusterWatches } from '../../activities/cluster-watches.js';
import type { Kube } from '../../activities/kube.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');

function pod(name: string, readySince?: number): V1Pod {
  return {
    metadata: { name, uid: `uid-${name}`, labels: { name: 'api' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'api-new', uid: 'rc', controller: true }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: readySince === undefined ? 'False' : 'True', ...(readySince !== undefined && { lastTransitionTime: new Date(readySince) }) }],
    },
  };
}

/** Runs a wait over fixed pods; each look costs the time the wait asked to sleep. Returns the sleeps. */
async function sleepsOf(pods: V1Pod[], minReadySeconds: number, looks = 1): Promise<number[]> {
  const sleeps: number[] = [];
  let now = NOW;
  const watch = {
    ready: Promise.resolve(),
    items: new Map(pods.map((p) => [p.metadata!.uid!, p])),
    nextChange: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
      if (sleeps.length > looks) controller.abort();
    },
  };
  const watches = { pods: () => ({ watch, release() {} }) } as unknown as ClusterWatches;
  const controller = new AbortController();
  const input: PodWaitInput = { namespace: 'default', target: 'api-new', app: 'api', rcs: ['api-new'], minAvailable: 1, maxPods: 1, minReadySeconds, progressDeadlineSeconds: 600 };
  await waitForPods({} as Kube, watches, input, { heartbeat() {}, signal: controller.signal, now: () => now }).catch((err: Error) => {
    if (!/cancelled/.test(err.message)) throw err;
  });
  return sleeps;
}

describe('pod wait', () => {
  test('a ready pod short of minReadySeconds: the wait looks again when they are over', async () => {
    // Ready 400 ms ago, minReadySeconds 1: available in 600 ms (one more to be past it).
    const sleeps = await sleepsOf([pod('a', NOW - 400)], 1);
    assert.deepEqual(sleeps, [601], 'one look put off until the pod is available, then done');
  });

  test('nothing about to turn available: it looks again after its usual second', async () => {
    const sleeps = await sleepsOf([pod('a')], 1, 2);
    assert.deepEqual(sleeps.slice(0, 2), [1000, 1000]);
  });

  test('available later than the usual second: that second first', async () => {
    const sleeps = await sleepsOf([pod('a', NOW)], 5, 1);
    assert.equal(sleeps[0], 1000);
  });
});
