import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import {
  availableAt, isPodAvailable, isPodFinished, isPodReady, isPodTerminating, podProblem, summarizePods, type ContainerStatus, type Pod,
} from '../../domain/index.js';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const secondsAgo = (s: number) => new Date(NOW - s * 1000).toISOString();

function pod(name: string, opts: { ready?: boolean; readySince?: string | Date; deleting?: boolean; phase?: string; statuses?: ContainerStatus[]; init?: ContainerStatus[]; scheduled?: { status: string; reason?: string; message?: string } } = {}): Pod {
  const conditions = [];
  if (opts.ready !== undefined) conditions.push({ type: 'Ready', status: opts.ready ? 'True' : 'False', ...(opts.readySince !== undefined && { lastTransitionTime: opts.readySince }) });
  if (opts.scheduled) conditions.push({ type: 'PodScheduled', ...opts.scheduled });
  return {
    metadata: { name, uid: `uid-${name}`, labels: { name: 'awesome-api' }, ...(opts.deleting && { deletionTimestamp: secondsAgo(1) }) },
    status: { phase: opts.phase ?? 'Running', conditions, containerStatuses: opts.statuses ?? [], ...(opts.init && { initContainerStatuses: opts.init }) },
  };
}

const waiting = (name: string, reason: string, message?: string, restartCount = 0, lastExit?: { exitCode: number; reason?: string }): ContainerStatus => ({
  name,
  ready: false,
  restartCount,
  state: { waiting: { reason, ...(message !== undefined && { message }) } },
  ...(lastExit && { lastState: { terminated: lastExit } }),
});

describe('readiness and availability', () => {
  const cases: Array<{ name: string; p: Pod; minReady: number; ready: boolean; available: boolean; at: number | undefined }> = [
    { name: 'ready, no minReadySeconds', p: pod('a', { ready: true, readySince: secondsAgo(1) }), minReady: 0, ready: true, available: true, at: NOW - 1000 },
    { name: 'ready 5s of 10s', p: pod('a', { ready: true, readySince: secondsAgo(5) }), minReady: 10, ready: true, available: false, at: NOW + 5000 },
    { name: 'ready exactly 10s of 10s', p: pod('a', { ready: true, readySince: secondsAgo(10) }), minReady: 10, ready: true, available: true, at: NOW },
    { name: 'ready 60s of 10s', p: pod('a', { ready: true, readySince: secondsAgo(60) }), minReady: 10, ready: true, available: true, at: NOW - 50000 },
    { name: 'ready since a Date object', p: pod('a', { ready: true, readySince: new Date(NOW - 20000) }), minReady: 10, ready: true, available: true, at: NOW - 10000 },
    { name: 'ready, transition time unknown, nothing to wait for', p: pod('a', { ready: true }), minReady: 0, ready: true, available: true, at: 0 },
    { name: 'ready, transition time unknown, must wait', p: pod('a', { ready: true }), minReady: 10, ready: true, available: false, at: undefined },
    { name: 'not ready', p: pod('a', { ready: false, readySince: secondsAgo(60) }), minReady: 0, ready: false, available: false, at: undefined },
    { name: 'no conditions yet', p: pod('a'), minReady: 0, ready: false, available: false, at: undefined },
    { name: 'no status at all', p: { metadata: { name: 'a' } }, minReady: 0, ready: false, available: false, at: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(isPodReady(c.p), c.ready, 'ready');
      assert.equal(isPodAvailable(c.p, c.minReady, NOW), c.available, 'available');
      assert.equal(availableAt(c.p, c.minReady), c.at, 'availableAt');
    });
  }

  test('terminating and finished', () => {
    assert.equal(isPodTerminating(pod('a', { deleting: true })), true);
    assert.equal(isPodTerminating(pod('a')), false);
    assert.equal(isPodFinished(pod('a', { phase: 'Failed' })), true);
    assert.equal(isPodFinished(pod('a', { phase: 'Succeeded' })), true);
    assert.equal(isPodFinished(pod('a', { phase: 'Pending' })), false);
  });
});

describe('podProblem', () => {
  const cases: Array<{ name: string; p: Pod; expect: { reason: string; message: string | RegExp } | undefined }> = [
    {
      name: 'image pull back-off',
      p: pod('p1', { statuses: [waiting('api', 'ImagePullBackOff', 'Back-off pulling image "r/x:9"')] }),
      expect: { reason: 'ImagePullBackOff', message: 'container api: Back-off pulling image "r/x:9"' },
    },
    { name: 'image pull error', p: pod('p1', { statuses: [waiting('api', 'ErrImagePull', 'manifest unknown')] }), expect: { reason: 'ErrImagePull', message: 'container api: manifest unknown' } },
    {
      name: 'crash loop with last exit',
      p: pod('p1', { statuses: [waiting('api', 'CrashLoopBackOff', 'back-off 40s restarting failed container', 3, { exitCode: 1, reason: 'Error' })] }),
      expect: { reason: 'CrashLoopBackOff', message: 'container api: back-off 40s restarting failed container, restarted 3 times; last exit code 1 (Error)' },
    },
    {
      name: 'crash loop, one restart, no message',
      p: pod('p1', { statuses: [waiting('api', 'CrashLoopBackOff', undefined, 1)] }),
      expect: { reason: 'CrashLoopBackOff', message: 'container api: CrashLoopBackOff, restarted 1 time' },
    },
    {
      name: 'missing config map',
      p: pod('p1', { statuses: [waiting('api', 'CreateContainerConfigError', 'configmap "cfg" not found')] }),
      expect: { reason: 'CreateContainerConfigError', message: /configmap "cfg" not found/ },
    },
    { name: 'init container fails first', p: pod('p1', { init: [waiting('migrate', 'CrashLoopBackOff', 'x', 2)], statuses: [waiting('api', 'PodInitializing')] }), expect: { reason: 'CrashLoopBackOff', message: /^container migrate: x, restarted 2 times$/ } },
    {
      name: 'unschedulable',
      p: pod('p1', { scheduled: { status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 node(s) didn\'t have free ports' } }),
      expect: { reason: 'Unschedulable', message: /didn't have free ports/ },
    },
    { name: 'second container is the broken one', p: pod('p1', { statuses: [waiting('api', 'ContainerCreating'), waiting('sidecar', 'InvalidImageName', 'bad')] }), expect: { reason: 'InvalidImageName', message: 'container sidecar: bad' } },
    { name: 'still creating', p: pod('p1', { statuses: [waiting('api', 'ContainerCreating')] }), expect: undefined },
    { name: 'not yet scheduled, no reason', p: pod('p1', { scheduled: { status: 'False' } }), expect: undefined },
    { name: 'scheduled', p: pod('p1', { scheduled: { status: 'True' } }), expect: undefined },
    { name: 'running', p: pod('p1', { ready: true, statuses: [{ name: 'api', ready: true, restartCount: 0, state: { running: {} } }] }), expect: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const problem = podProblem(c.p);
      if (!c.expect) return assert.equal(problem, undefined);
      assert.ok(problem, 'expected a problem');
      assert.equal(problem.pod, 'p1');
      assert.equal(problem.reason, c.expect.reason);
      if (typeof c.expect.message === 'string') assert.equal(problem.message, c.expect.message);
      else assert.match(problem.message, c.expect.message);
    });
  }
});

describe('summarizePods', () => {
  test('counts live pods and skips terminating and finished ones', () => {
    const pods = [
      pod('available', { ready: true, readySince: secondsAgo(30) }),
      pod('warming-up', { ready: true, readySince: secondsAgo(4) }),
      pod('warming-up-later', { ready: true, readySince: secondsAgo(1) }),
      pod('starting', { ready: false }),
      pod('pulling', { ready: false, statuses: [waiting('api', 'ImagePullBackOff', 'nope')] }),
      pod('leaving', { ready: true, readySince: secondsAgo(300), deleting: true, statuses: [waiting('api', 'CrashLoopBackOff', 'x', 5)] }),
      pod('evicted', { phase: 'Failed' }),
    ];
    assert.deepEqual(summarizePods(pods, 10, NOW), {
      total: 5,
      ready: 3,
      available: 1,
      terminating: 1,
      problems: [{ reason: 'ImagePullBackOff', message: 'container api: nope', pod: 'pulling' }],
      nextAvailableAt: NOW + 6000,
    });
  });

  test('an empty list', () => {
    assert.deepEqual(summarizePods([], 0, NOW), { total: 0, ready: 0, available: 0, terminating: 0, problems: [] });
  });

  test('reads V1Pod objects from the Kubernetes client directly', () => {
    const v1: V1Pod = {
      metadata: { name: 'awesome-api-1a2b3c4d-xyz', creationTimestamp: new Date(NOW - 60000) },
      spec: { containers: [{ name: 'api' }], nodeName: 'node-1' },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(NOW - 8000) }],
        containerStatuses: [{ name: 'api', ready: true, restartCount: 0, image: 'x', imageID: 'y', state: { running: { startedAt: new Date(NOW - 9000) } } }],
      },
    };
    assert.deepEqual(summarizePods([v1], 5, NOW), { total: 1, ready: 1, available: 1, terminating: 0, problems: [] });
  });
});
