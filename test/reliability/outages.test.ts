// Stack outages mid-rollout, forward and during rollbacks: Temporal stopped or
// killed and restarted on its SQLite file; the apiserver away for ~20 s, and
// for longer than progressDeadlineSeconds; a network partition between the
// worker and the apiserver (at the fault proxy) during a wait. Every deploy
// ends Succeeded or RolledBack, never half-done, with I1-I4 intact.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { faultHarness, sleep, type FaultHarness } from '../helpers/fault-harness.js';
import { waitForMark } from '../helpers/history-marks.js';
import { componentOutage } from '../helpers/fault-stack.js';
import { faultRun, faultTable, recorded, writeReport, type FaultRow } from '../helpers/fault-run.js';
import { rollbackUpdate } from '../../workflows/messages.js';
import type { Component } from '../../stack/components.js';

const v2 = 'registry.example/awesome-api:2.0.0';
const neverReady = 'registry.example/awesome-api:2.0.0-never-ready';

/** Downtimes measured (stop → healthy), for the table. */
const downtimes: string[] = [];

function outage(component: Component, pauseMs: number, hard = false) {
  return async () => {
    const seconds = await componentOutage(component, pauseMs, { hard });
    downtimes.push(`${component} ${seconds} s`);
  };
}

describe('stack outages mid-rollout', { timeout: 1_800_000 }, () => {
  let h: FaultHarness;
  const rows: FaultRow[] = [];
  before(async () => {
    // Through the (transparent) proxy: it sees the worker's calls, so faults can start at an exact one.
    h = await faultHarness('outage', { proxy: true });
  });
  after(async () => {
    await h?.close();
    writeReport('outages', `Stack outages (measured downtimes: ${downtimes.join(', ')})`, faultTable(rows));
  });

  test('Temporal stopped (SIGTERM) and restarted while new pods come up: succeeds', { timeout: 300_000 }, async () => {
    await recorded(rows, 'Temporal restart (SIGTERM, 3 s down), step 1 wait', 'Succeeded', () =>
      faultRun(h, { app: 'tmp-term', image: v2, at: { mark: 'activity:rollStep', nth: 1 }, fault: outage('temporal', 3000), allowed: ['Succeeded'] }),
    );
  });

  test('Temporal killed (-9) while the worker creates the new RC: succeeds', { timeout: 300_000 }, async () => {
    await recorded(rows, 'Temporal kill -9 (5 s down) during the create', 'Succeeded', () =>
      faultRun(h, { app: 'tmp-create', image: v2, atCall: { target: 'create' }, fault: outage('temporal', 5000, true), allowed: ['Succeeded'] }),
    );
  });

  test('Temporal killed (-9) as a never-ready release rolls back: rolls back cleanly', { timeout: 300_000 }, async () => {
    await recorded(rows, 'Temporal kill -9 (5 s down) during a rollback', 'RolledBack', () =>
      faultRun(h, {
        app: 'tmp-rollback',
        image: neverReady,
        overrides: { strategy: { progressDeadlineSeconds: 8 } },
        at: { mark: 'phase:RollingBack' },
        fault: outage('temporal', 5000, true),
        allowed: ['RolledBack'],
      }),
    );
    assert.equal(h.worker.child.exitCode, null, 'the worker survived the restarts');
  });

  test('the apiserver away for ~20 s in step 2: activities retry and the deploy succeeds', { timeout: 300_000 }, async () => {
    // The deadline outlasts the controller manager's own recovery (its informers back off up to a minute).
    await recorded(rows, 'apiserver down ~20 s, step 2 wait (deadline 150 s)', 'Succeeded', () =>
      faultRun(h, {
        app: 'api-20s',
        image: v2,
        overrides: { strategy: { progressDeadlineSeconds: 150 } },
        // Steps run back to back in one activity: step 2's wait begins once its scale-up passed.
        atCall: { target: 'scale-new', replicas: 2 },
        fault: outage('kube-apiserver', 10_000),
        allowed: ['Succeeded'],
      }),
    );
  });

  test('the apiserver away for ~20 s during a rollback: the rollback finishes', { timeout: 400_000 }, async () => {
    await recorded(rows, 'apiserver down ~20 s during a rollback', 'RolledBack', () =>
      faultRun(h, {
        app: 'api-rollback',
        image: neverReady,
        overrides: { strategy: { progressDeadlineSeconds: 8 } },
        at: { mark: 'phase:RollingBack' },
        fault: outage('kube-apiserver', 10_000),
        allowed: ['RolledBack'],
      }),
    );
  });

  // Longer outages stay under the fake nodes' grace period (~40 s): past it, the node
  // controller marks every pod NotReady and KWOK (no kubelet) never makes them Ready again.
  test('the apiserver killed for ~30 s, past progressDeadlineSeconds (10 s): success or a clean rollback', { timeout: 400_000 }, async () => {
    await recorded(rows, 'apiserver kill -9, ~30 s down (deadline 10 s), step 1 wait', 'Succeeded or RolledBack', () =>
      faultRun(h, {
        app: 'api-30s',
        image: v2,
        overrides: { strategy: { progressDeadlineSeconds: 10 } },
        at: { mark: 'activity:rollStep', nth: 1 },
        fault: outage('kube-apiserver', 28_000, true),
        allowed: ['Succeeded', 'RolledBack'],
      }),
    );
  });

  test('the apiserver killed for ~30 s during a rollback (deadline 8 s): the rollback finishes', { timeout: 400_000 }, async () => {
    await recorded(rows, 'apiserver kill -9, ~30 s down during a rollback (deadline 8 s)', 'RolledBack', () =>
      faultRun(h, {
        app: 'api-30s-rollback',
        image: neverReady,
        overrides: { strategy: { progressDeadlineSeconds: 8 } },
        at: { mark: 'phase:RollingBack' },
        fault: outage('kube-apiserver', 28_000, true),
        allowed: ['RolledBack'],
      }),
    );
  });

  test('worker cut off from the apiserver for 45 s while old pods come back in a rollback: rolls back cleanly', { timeout: 400_000 }, async () => {
    // The rollback waits 10 s (minReadySeconds) for the restored old pod; the worker cannot
    // see it for 45 s, longer than progressDeadlineSeconds. Seeing nothing is not a stall.
    await recorded(rows, 'partition 45 s in a rollback wait (deadline 25 s)', 'RolledBack', () =>
      faultRun(h, {
        app: 'cut-rollback',
        image: v2,
        overrides: { strategy: { progressDeadlineSeconds: 25, minReadySeconds: 10, approval: 'after-first-step' } },
        async during(handle) {
          await waitForMark(handle, { mark: 'phase:AwaitingApproval' });
          await handle.executeUpdate(rollbackUpdate, { args: [{ reason: 'outage test', requestedBy: 'fault-test' }] });
        },
        // The rollback's first move: the old RC back to its size, then the wait for its pods.
        atCall: { target: 'scale-old', replicas: 3 },
        async fault() {
          h.proxy!.partition(true);
          await sleep(45_000);
          h.proxy!.partition(false);
        },
        allowed: ['RolledBack'],
      }),
    );
  });

  test('worker cut off from the apiserver for 45 s while new pods come up: success or a clean rollback', { timeout: 400_000 }, async () => {
    await recorded(rows, 'partition 45 s in a forward wait (deadline 15 s)', 'Succeeded or RolledBack', () =>
      faultRun(h, {
        app: 'cut-forward',
        image: v2,
        overrides: { strategy: { progressDeadlineSeconds: 15, minReadySeconds: 5 } },
        // Step 2 begins: the new RC to 2, then the wait for its pods.
        atCall: { target: 'scale-new', replicas: 2 },
        async fault() {
          h.proxy!.partition(true);
          await sleep(45_000);
          h.proxy!.partition(false);
        },
        allowed: ['Succeeded', 'RolledBack'],
      }),
    );
  });
});
