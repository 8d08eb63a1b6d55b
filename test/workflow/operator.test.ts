// Operator paths of the deploy workflow: stuck → retry / rollback / decision
// timeout, the approval gate, pause and resume, cancellation, and the update
// validators refusing what makes no sense in the current phase.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForResult } from '../../client/api.js';
import { approveUpdate, pauseUpdate, progressQuery, resumeUpdate, retryUpdate, rollbackUpdate } from '../../workflows/messages.js';
import { workflowHarness, type WorkflowHarness, SIDE_BY_SIDE } from '../helpers/workflow-env.js';
import { refused, untilPhase } from '../helpers/progress.js';

const V1 = 'registry.example/awesome-api:1.0.0';
const V2 = 'registry.example/awesome-api:2.0.0';

/** How many step activities a deploy's history scheduled. */
function stepActivities(history: { events?: Array<{ activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null }> | null }): number {
  return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'rollStep').length;
}

/** Stalls waits on the new RC's pods while `stalling` is true, once v1 exists. */
async function stallingHarness(): Promise<{ h: WorkflowHarness; stalling: { on: boolean } }> {
  const stalling = { on: true };
  const h = await workflowHarness({
    stall: (input) => stalling.on && input.minAvailable > 0 && input.target.startsWith('awesome-api-') && h.cluster.rcs.size > 1,
  });
  await waitForResult(await h.start(V1));
  return { h, stalling };
}

describe('operators', { concurrency: SIDE_BY_SIDE }, () => {
  test('stuck (onFailure: wait) → retry re-runs the stalled step and completes', async () => {
    const { h, stalling } = await stallingHarness();
    try {
      const handle = await h.start(V2, h.spec({ strategy: { onFailure: 'wait' } }));
      await untilPhase(handle, 'Stuck');
      const stuck = await handle.query(progressQuery);
      assert.equal(stuck.lastError?.reason, 'ImagePullBackOff');
      assert.deepEqual(stuck.nextActions, ['retry', 'rollback']);
      const createsBefore = h.cluster.writes.filter((w) => w.startsWith('create')).length;
      stalling.on = false;
      const answer = await handle.executeUpdate(retryUpdate, { args: [{ reason: 'nodes fixed', requestedBy: 'ops' }] });
      assert.match(answer.message, /retrying/);
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'Succeeded');
      // The retry resumed the step: no second RC was created.
      assert.equal(h.cluster.writes.filter((w) => w.startsWith('create')).length, createsBefore);
      const done = await handle.query(progressQuery);
      assert.deepEqual(done.actions.map((a) => [a.action, a.requestedBy, a.reason]), [['retry', 'ops', 'nodes fixed']]);
    } finally {
      await h.close();
    }
  });

  test('stuck → rollback update rolls back', async () => {
    const { h } = await stallingHarness();
    try {
      const handle = await h.start(V2, h.spec({ strategy: { onFailure: 'wait' } }));
      await untilPhase(handle, 'Stuck');
      await handle.executeUpdate(rollbackUpdate, { args: [{ reason: 'bad image' }] });
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'RolledBack');
      assert.equal(Object.values(h.cluster.replicasOf()).join(), '3');
    } finally {
      await h.close();
    }
  });

  test('stuck and nobody decides within decisionTimeoutSeconds → rollback', async () => {
    const { h } = await stallingHarness();
    try {
      const handle = await h.start(V2, h.spec({ strategy: { onFailure: 'wait', decisionTimeoutSeconds: 2 } }));
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'RolledBack');
      assert.match(result.message, /nobody decided within 2s/);
    } finally {
      await h.close();
    }
  });

  test('approval gate holds after the first step until approve', async () => {
    const h = await workflowHarness();
    try {
      await waitForResult(await h.start(V1));
      const handle = await h.start(V2, h.spec({ strategy: { approval: 'after-first-step' } }));
      await untilPhase(handle, 'AwaitingApproval');
      const held = await handle.query(progressQuery);
      assert.equal(held.step, 1);
      assert.equal(held.newRc?.replicas, 1);
      await handle.executeUpdate(approveUpdate, { args: [{ requestedBy: 'lead' }] });
      assert.equal((await waitForResult(handle)).outcome, 'Succeeded');
      // The gate is announced to the webhooks (it used to wait silently).
      assert.deepEqual(h.cluster.notifications.slice(-3), ['started', 'awaiting-approval', 'succeeded']);
    } finally {
      await h.close();
    }
  });

  test('pause holds between steps, resume continues', async () => {
    const h = await workflowHarness({ waitMs: 300 });
    try {
      await waitForResult(await h.start(V1));
      const handle = await h.start(V2, h.spec({ replicas: 3 }));
      await untilPhase(handle, 'RollingOut');
      await handle.executeUpdate(pauseUpdate, { args: [{}] });
      await untilPhase(handle, 'Paused');
      const paused = await handle.query(progressQuery);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await handle.query(progressQuery)).step, paused.step, 'no step while paused');
      await refused(handle.executeUpdate(pauseUpdate, { args: [{}] }), /already paused/);
      await handle.executeUpdate(resumeUpdate, { args: [{}] });
      assert.equal((await waitForResult(handle)).outcome, 'Succeeded');
    } finally {
      await h.close();
    }
  });

  test('steps run back to back in one activity; a pause stops them, finishes the step in the middle, then holds', async () => {
    const h = await workflowHarness({ waitMs: 300 });
    try {
      await waitForResult(await h.start(V1, h.spec({ replicas: 6 })));
      const straight = await h.start(V2, h.spec({ replicas: 6 }));
      assert.equal((await waitForResult(straight)).steps, 6);
      assert.equal(stepActivities(await straight.fetchHistory()), 1, 'six steps, one activity');

      const handle = await h.start(V1, h.spec({ replicas: 6 }));
      await untilPhase(handle, 'RollingOut');
      await new Promise((r) => setTimeout(r, 700));
      await handle.executeUpdate(pauseUpdate, { args: [{}] });
      await untilPhase(handle, 'Paused');
      const paused = await handle.query(progressQuery);
      const held = h.cluster.replicasOf();
      assert.equal(Object.values(held).reduce((a, b) => a + b, 0), 6, `held between steps, not in one (no surge pod): ${JSON.stringify(held)}`);
      assert.ok(paused.step >= 1 && paused.step < 6, `paused at step ${paused.step}`);
      const writes = h.cluster.writes.length;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(h.cluster.writes.length, writes, 'nothing scaled while paused');
      await handle.executeUpdate(resumeUpdate, { args: [{}] });
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'Succeeded');
      assert.equal(result.steps, 6, 'the step the pause stopped counts once');
      const events = (await handle.fetchHistory()).events ?? [];
      assert.equal(events.filter((e) => e.activityTaskCancelRequestedEventAttributes).length, 1, 'the pause cancelled the activity taking the steps');
      assert.ok(stepActivities({ events }) <= 3, 'the stopped call, the rest of its step, the steps after the hold');
    } finally {
      await h.close();
    }
  });

  test('cancelling a running deploy rolls it back', async () => {
    const h = await workflowHarness({ waitMs: 500 });
    try {
      const v1 = await waitForResult(await h.start(V1));
      const handle = await h.start(V2);
      await untilPhase(handle, 'RollingOut');
      await handle.cancel();
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'RolledBack');
      assert.deepEqual(h.cluster.replicasOf(), { [v1.rc!]: 3 });
    } finally {
      await h.close();
    }
  });

  test('validators refuse updates that make no sense in the phase', async () => {
    const h = await workflowHarness({ waitMs: 300 });
    try {
      await waitForResult(await h.start(V1));
      const handle = await h.start(V2);
      await untilPhase(handle, 'RollingOut');
      await refused(handle.executeUpdate(retryUpdate, { args: [{}] }), /nothing has failed/);
      await refused(handle.executeUpdate(approveUpdate, { args: [{}] }), /no approval gate is open/);
      await refused(handle.executeUpdate(resumeUpdate, { args: [{}] }), /not paused/);
      await waitForResult(handle);
      // After the end, the server itself refuses updates of a closed workflow.
      await assert.rejects(handle.executeUpdate(rollbackUpdate, { args: [{}] }));
    } finally {
      await h.close();
    }
  });
});
