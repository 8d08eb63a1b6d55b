// Every branch of the deploy workflow, against the real Temporal dev server
// with the fake cluster's activities.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForResult } from '../../client/api.js';
import { readSnapshot } from '../../client/snapshot.js';
import { frameLines, type LiveSnapshot } from '../../client/live-view.js';
import { workflowHarness, SIDE_BY_SIDE } from '../helpers/workflow-env.js';

const V1 = 'registry.example/awesome-api:1.0.0';
const V2 = 'registry.example/awesome-api:2.0.0';

describe('deploy workflow', { concurrency: SIDE_BY_SIDE }, () => {
  test('first deploy creates the RC at full size in one step', async () => {
    const h = await workflowHarness();
    try {
      const result = await waitForResult(await h.start(V1));
      assert.equal(result.outcome, 'Succeeded');
      assert.equal(result.steps, 1);
      assert.deepEqual(h.cluster.writes, [`create ${result.rc} 3`]);
    } finally {
      await h.close();
    }
  });

  test('same spec and image twice: Unchanged, no write', async () => {
    const h = await workflowHarness();
    try {
      await waitForResult(await h.start(V1));
      const writes = h.cluster.writes.length;
      const result = await waitForResult(await h.start(V1));
      assert.equal(result.outcome, 'Unchanged');
      assert.equal(h.cluster.writes.length, writes);
    } finally {
      await h.close();
    }
  });

  test('replicas-only change scales the same RC, no new RC', async () => {
    const h = await workflowHarness();
    try {
      const first = await waitForResult(await h.start(V1));
      const result = await waitForResult(await h.start(V1, h.spec({ replicas: 5 })));
      assert.equal(result.outcome, 'Scaled');
      assert.equal(result.rc, first.rc);
      assert.deepEqual(h.cluster.replicasOf(), { [first.rc!]: 5 });
    } finally {
      await h.close();
    }
  });

  test('rolling update: surge 1 over 3 replicas is 3 steps, never above 4 pods, old kept at 0', async () => {
    const h = await workflowHarness();
    try {
      const v1 = await waitForResult(await h.start(V1));
      h.cluster.maxPods = 0;
      const v2 = await waitForResult(await h.start(V2));
      assert.equal(v2.outcome, 'Succeeded');
      assert.equal(v2.steps, 3);
      assert.equal(h.cluster.maxPods, 4);
      assert.deepEqual(h.cluster.replicasOf(), { [v1.rc!]: 0, [v2.rc!]: 3 });
      assert.equal(v2.revision, 2);
    } finally {
      await h.close();
    }
  });

  test('a step activity has no ten-minute schedule-to-close limit: a stretch of steps on a large app outlasts any one call', async () => {
    const h = await workflowHarness();
    try {
      await waitForResult(await h.start(V1));
      const handle = await h.start(V2);
      assert.equal((await waitForResult(handle)).outcome, 'Succeeded');
      const scheduled = ((await handle.fetchHistory()).events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes)
        .filter((a) => a?.activityType?.name === 'rollStep');
      assert.ok(scheduled.length > 0, 'no step activity in history');
      for (const a of scheduled) {
        // 500 steps of 1.4 s outlasted the ten minutes it once had, and the deploy rolled back.
        // Left unset, the server fills in its own ceiling (a week on the dev server).
        const scheduleToClose = Number(a?.scheduleToCloseTimeout?.seconds ?? 0);
        assert.ok(scheduleToClose === 0 || scheduleToClose >= 24 * 3600, `scheduleToCloseTimeout ${scheduleToClose}s`);
        assert.equal(Number(a?.startToCloseTimeout?.seconds), 24 * 3600);
        assert.equal(Number(a?.heartbeatTimeout?.seconds), 15);
      }
    } finally {
      await h.close();
    }
  });

  test('a rollout reads the RCs to plan and to check its end, not before each step: the step activity checks its own plan', async () => {
    const h = await workflowHarness();
    try {
      await waitForResult(await h.start(V1));
      h.cluster.lists = 0;
      h.cluster.planChecks = 0;
      const v2 = await waitForResult(await h.start(V2));
      assert.equal(v2.steps, 3);
      // The list that plans the deploy and the clean-end check: none per step.
      assert.equal(h.cluster.lists, 2);
      assert.equal(h.cluster.planChecks, 1, 'the three steps back to back in one activity, which checked its plan once');
    } finally {
      await h.close();
    }
  });

  test('an RC resized between steps (as after a Reset) is a stale plan: the RCs are read again and the rollout ends clean', async () => {
    let resize = () => {};
    const h = await workflowHarness({
      // Wait 0 is the first deploy's; wait 2 is the rollout's first step shrinking the old side: someone scales it back up then.
      stall: (_input, waitIndex) => {
        if (waitIndex === 2) resize();
        return false;
      },
    });
    try {
      const v1 = await waitForResult(await h.start(V1));
      resize = () => void (h.cluster.rcs.get(v1.rc!)!.replicas = 3);
      h.cluster.lists = 0;
      h.cluster.planChecks = 0;
      const v2 = await waitForResult(await h.start(V2));
      assert.equal(v2.outcome, 'Succeeded');
      assert.deepEqual(h.cluster.replicasOf(), { [v1.rc!]: 0, [v2.rc!]: 3 });
      // The next step's compare-and-set scale found the plan stale (inside the activity taking the steps back to back).
      assert.equal(h.cluster.lists, 3, 'read again after the stale plan');
      assert.equal(h.cluster.planChecks, 2, 'the first activity checked its plan, and the one after the stale plan');
    } finally {
      await h.close();
    }
  });

  test('revisionHistoryLimit deletes the oldest RCs beyond the limit', async () => {
    const h = await workflowHarness();
    try {
      const spec = h.spec({ revisionHistoryLimit: 1 });
      const r1 = await waitForResult(await h.start(V1, spec));
      const r2 = await waitForResult(await h.start(V2, spec));
      const r3 = await waitForResult(await h.start('registry.example/awesome-api:3.0.0', spec));
      assert.deepEqual(Object.keys(h.cluster.replicasOf()).sort(), [r2.rc!, r3.rc!].sort());
      assert.ok(h.cluster.writes.includes(`delete ${r1.rc}`));
    } finally {
      await h.close();
    }
  });

  test('a stalled step rolls back by itself with onFailure: rollback', async () => {
    const h = await workflowHarness({ stall: (input) => input.target.startsWith('awesome-api-') && input.minAvailable > 0 && h.cluster.rcs.size > 1 });
    try {
      const v1 = await waitForResult(await h.start(V1));
      const result = await waitForResult(await h.start(V2));
      assert.equal(result.outcome, 'RolledBack');
      assert.equal(result.reason, 'ImagePullBackOff');
      assert.deepEqual(h.cluster.replicasOf(), { [v1.rc!]: 3 });
    } finally {
      await h.close();
    }
  });

  test('invalid spec fails before any activity writes', async () => {
    const h = await workflowHarness();
    try {
      const spec = h.spec();
      // Bypass client-side validation to prove the workflow validates too.
      const handle = await h.client.workflow.start('deploy', {
        taskQueue: `deploy-${h.environment}`,
        workflowId: `deploy/${h.environment}/default/invalid`,
        args: [{ spec: { ...spec, replicas: -1 }, environment: h.environment, image: V1, requestedBy: 't' }],
      });
      const result = await waitForResult(handle as never);
      assert.equal(result.outcome, 'Failed');
      assert.match(result.message, /replicas/);
      assert.deepEqual(h.cluster.writes, []);
    } finally {
      await h.close();
    }
  });

  test('a worker with chat webhooks is told each phase; one without has no notification in history', async () => {
    const heard = await workflowHarness();
    const quiet = await workflowHarness({ noWebhooks: true });
    try {
      const notifyActivities: number[] = [];
      for (const h of [heard, quiet]) {
        await waitForResult(await h.start(V1));
        const handle = await h.start(V2);
        assert.equal((await waitForResult(handle)).outcome, 'Succeeded');
        const events = (await handle.fetchHistory()).events ?? [];
        notifyActivities.push(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notify').length);
      }
      assert.deepEqual(heard.cluster.notifications, ['started', 'succeeded', 'started', 'succeeded']);
      assert.deepEqual(quiet.cluster.notifications, []);
      assert.deepEqual(notifyActivities, [2, 0], 'notify activities of the rolling deploy, with and without webhooks');
    } finally {
      await heard.close();
      await quiet.close();
    }
  });

  test('the live view reads the step activity\'s encrypted heartbeat: the steps it took back to back', async () => {
    const h = await workflowHarness({ waitMs: 300 });
    try {
      await waitForResult(await h.start(V1, h.spec({ replicas: 6 })));
      const handle = await h.start(V2, h.spec({ replicas: 6 }));
      let live: LiveSnapshot | undefined;
      for (let i = 0; i < 100 && !((live?.pods?.stepsDone ?? 0) >= 2); i++) {
        live = await readSnapshot(h.client, handle);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok((live?.pods?.stepsDone ?? 0) >= 2, `heartbeat seen: ${JSON.stringify(live?.pods)}`);
      assert.equal(live?.progress?.step, 1, 'the workflow still shows the step the activity began with');
      assert.match(frameLines(live!, h.environment)[0]!, /step [3-6]\/6/);
      assert.equal((await waitForResult(handle)).outcome, 'Succeeded');
    } finally {
      await h.close();
    }
  });

  test('environment secret naming another environment: Failed, nothing written (I6)', async () => {
    const h = await workflowHarness({ secretEnvironment: 'production' });
    try {
      const result = await waitForResult(await h.start(V1));
      assert.equal(result.outcome, 'Failed');
      assert.equal(result.reason, 'EnvironmentMismatch');
      assert.deepEqual(h.cluster.writes, []);
    } finally {
      await h.close();
    }
  });
});
