// Deploys that time, operators and upgrades cannot break (issue: safe Reset,
// continue-as-new, end-of-deploy races, holds that time out, one cluster per
// deploy), on the real Temporal server with the fake cluster.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { temporal } from '@temporalio/proto';
import { waitForResult, type DeployHandle } from '../../client/api.js';
import { taskQueueFor, workflowIdFor } from '../../domain/names.js';
import { DEPLOY_WORKFLOW, pauseUpdate, progressQuery, resumeUpdate, rollbackUpdate } from '../../workflows/messages.js';
import { workflowHarness, type WorkflowHarness, SIDE_BY_SIDE } from '../helpers/workflow-env.js';
import { refused, untilPhase } from '../helpers/progress.js';

type History = temporal.api.history.v1.IHistory;

const V1 = 'registry.example/awesome-api:1.0.0';
const V2 = 'registry.example/awesome-api:2.0.0';

/** Runs of a deploy's chain: the workflow id's executions started at or after the first run. */
async function runsOf(h: WorkflowHarness, workflowId: string, firstRunId: string): Promise<{ runId: string; events: number }[]> {
  const runs: { runId: string; events: number }[] = [];
  for (let runId: string | undefined = (await h.client.workflow.getHandle(workflowId).describe()).runId; runId; ) {
    const history: History = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift({ runId, events: events.length });
    if (runId === firstRunId) break;
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  }
  return runs;
}

describe('end-of-deploy races', { concurrency: SIDE_BY_SIDE }, () => {
  test('after the last step, rollback and pause are refused with a reason, and the deploy succeeds', async () => {
    const h = await workflowHarness({ finishingMs: 3000 });
    try {
      await waitForResult(await h.start(V1));
      const handle = await h.start(V2);
      await untilPhase(handle, 'Finishing');
      assert.deepEqual((await handle.query(progressQuery)).nextActions, []);
      await refused(handle.executeUpdate(rollbackUpdate, { args: [{ reason: 'too late' }] }), /refused in phase Finishing: the rollout is complete/);
      await refused(handle.executeUpdate(pauseUpdate, { args: [{}] }), /refused in phase Finishing/);
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'Succeeded');
      assert.deepEqual((await handle.query(progressQuery)).actions, [], 'no refused command is recorded as an action');
    } finally {
      await h.close();
    }
  });

  test('a rollback accepted during the last step rolls back instead of ending Succeeded', async () => {
    const h = await workflowHarness({ waitMs: 1500 });
    try {
      await waitForResult(await h.start(V1, h.spec({ replicas: 1 })));
      const handle = await h.start(V2, h.spec({ replicas: 1 }));
      await untilPhase(handle, 'RollingOut');
      await handle.executeUpdate(rollbackUpdate, { args: [{ reason: 'changed my mind', requestedBy: 'ops' }] });
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'RolledBack');
      assert.deepEqual(Object.values(h.cluster.replicasOf()), [1], 'only v1 is left, at its size');
    } finally {
      await h.close();
    }
  });

  test('a pause accepted during the last step holds before the end, and resume finishes it', async () => {
    const h = await workflowHarness({ waitMs: 1500 });
    try {
      await waitForResult(await h.start(V1, h.spec({ replicas: 1 })));
      const handle = await h.start(V2, h.spec({ replicas: 1 }));
      await untilPhase(handle, 'RollingOut');
      await handle.executeUpdate(pauseUpdate, { args: [{}] });
      await untilPhase(handle, 'Paused');
      assert.equal((await handle.query(progressQuery)).step, 1, 'held after its only step');
      await handle.executeUpdate(resumeUpdate, { args: [{}] });
      assert.equal((await waitForResult(handle)).outcome, 'Succeeded');
    } finally {
      await h.close();
    }
  });
});

describe('holds time out into a rollback', { concurrency: SIDE_BY_SIDE }, () => {
  test('nobody approving within approvalTimeoutSeconds rolls back and frees the lock', async () => {
    const h = await workflowHarness();
    try {
      await waitForResult(await h.start(V1));
      const handle = await h.start(V2, h.spec({ strategy: { approval: 'after-first-step', approvalTimeoutSeconds: 2 } }));
      await untilPhase(handle, 'AwaitingApproval');
      assert.match((await handle.query(progressQuery)).waitingFor?.what ?? '', /automatic rollback in 2s/);
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'RolledBack');
      assert.equal(result.reason, 'ApprovalTimeout');
      assert.equal((await handle.describe()).status.name, 'FAILED', 'the deploy ended: the lock is free');
      assert.equal((await waitForResult(await h.start(V2))).outcome, 'Succeeded', 'the next deploy of the app may start');
    } finally {
      await h.close();
    }
  });

  test('a pause held longer than maxPauseSeconds rolls back', async () => {
    const h = await workflowHarness({ waitMs: 800 });
    try {
      await waitForResult(await h.start(V1));
      const handle = await h.start(V2, h.spec({ strategy: { maxPauseSeconds: 2 } }));
      await untilPhase(handle, 'RollingOut');
      await handle.executeUpdate(pauseUpdate, { args: [{ reason: 'looking at dashboards' }] });
      await untilPhase(handle, 'Paused');
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'RolledBack');
      assert.equal(result.reason, 'PauseTimeout');
      assert.match(result.message, /maxPauseSeconds \(2s\)/);
      assert.deepEqual(Object.values(h.cluster.replicasOf()), [3], 'v1 is back at its size, v2 is gone');
    } finally {
      await h.close();
    }
  });
});

describe('continue-as-new', { concurrency: SIDE_BY_SIDE }, () => {
  test('a rollout continues as new every N steps and keeps its record, progress and updates across runs', async () => {
    const h = await workflowHarness({ waitMs: 150 });
    try {
      await waitForResult(await h.start(V1, h.spec({ replicas: 6 })));
      const handle = await h.start(V2, h.spec({ replicas: 6 }), { maxStepsPerRun: 2 });
      const firstRunId = (await handle.describe()).runId;
      await untilPhase(handle, 'RollingOut');
      await handle.executeUpdate(pauseUpdate, { args: [{ reason: 'a look', requestedBy: 'ops' }] });
      await untilPhase(handle, 'Paused');
      await handle.executeUpdate(resumeUpdate, { args: [{ requestedBy: 'ops' }] });
      const seen = new Set<number>();
      let progress = await handle.query(progressQuery);
      while (!progress.result) {
        seen.add(progress.step);
        await new Promise((r) => setTimeout(r, 50));
        progress = await handle.query(progressQuery);
      }
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'Succeeded');
      assert.equal(result.steps, 6, 'the step count runs on across runs');
      assert.deepEqual(progress.actions.map((a) => a.action), ['pause', 'resume'], 'the operator record is carried');
      const runs = await runsOf(h, handle.workflowId, firstRunId);
      assert.ok(runs.length >= 3, `6 steps at 2 a run: ${runs.length} runs`);
      assert.ok(seen.size >= 3, `progress answered in several runs (steps seen: ${[...seen].join(', ')})`);
      assert.deepEqual(Object.values(h.cluster.replicasOf()).sort(), [0, 6], 'one serving RC');
      assert.equal(h.cluster.writes.filter((w) => w.startsWith('create')).length, 2, 'no run created an RC again');
      assert.ok(h.cluster.maxPods <= 7, `never more than desired + surge pods (${h.cluster.maxPods})`);
    } finally {
      await h.close();
    }
  });

  test('a forged hand-over is refused before anything is written', async () => {
    const h = await workflowHarness();
    try {
      await waitForResult(await h.start(V1));
      const writes = h.cluster.writes.length;
      const forged = {
        runs: 1,
        stepsDone: 3,
        to: [{ name: 'awesome-api-someoneelse', revision: 9, replicas: 0, target: 3 }],
        from: [],
        created: true,
        actions: [],
        paused: false,
      };
      // Straight to Temporal, as anyone who may start a workflow can: deployctl never sends a hand-over.
      const input = { spec: h.spec(), environment: h.environment, image: V2, requestedBy: 'forger', continued: forged };
      const handle = await h.client.workflow.start(DEPLOY_WORKFLOW, {
        args: [input],
        workflowId: workflowIdFor(h.environment, 'default', 'awesome-api'),
        taskQueue: taskQueueFor(h.environment),
      });
      const result = await waitForResult(handle as DeployHandle);
      assert.equal(result.outcome, 'Failed');
      assert.match(result.message, /continued: the rollout it carries is not this deploy's/);
      assert.equal(h.cluster.writes.length, writes, 'nothing was written');
    } finally {
      await h.close();
    }
  });
});

describe('one cluster per deploy', { concurrency: SIDE_BY_SIDE }, () => {
  test('two workers of one environment on two clusters: every write of a deploy goes to the cluster that admitted it', async () => {
    const h = await workflowHarness({ cluster: 'uid-cluster-a', waitMs: 100 });
    try {
      const other = await h.addWorker({ cluster: 'uid-cluster-b', waitMs: 100 });
      for (let i = 0; i < 2; i++) {
        const before = [h.cluster.writes.length, other.writes.length];
        const result = await waitForResult(await h.start(i % 2 ? V2 : V1, h.spec({ replicas: 4 })));
        const wrote = [h.cluster.writes.slice(before[0]), other.writes.slice(before[1])];
        assert.ok(result.outcome === 'Succeeded' || result.outcome === 'Unchanged', result.message);
        assert.ok(wrote[0]!.length === 0 || wrote[1]!.length === 0, `deploy ${i} wrote to both clusters: ${JSON.stringify(wrote)}`);
      }
      assert.ok(h.cluster.writes.length + other.writes.length > 0);
    } finally {
      await h.close();
    }
  });
});
