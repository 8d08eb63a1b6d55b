// Temporal Reset on a running rollout, as an operator does it from the UI: a
// healthy 6-replica rollout at surge 1, reset at its step 4 to an earlier
// workflow task. Every reset run plans from the RCs the cluster runs, so it
// ends Succeeded with one serving RC, and a pod watch sees I1/I2 hold
// throughout. npm test resets to a sample of points; `npm run test:reset`
// (DEPLOYFLOW_RESET_CAMPAIGN=all) to every workflow task in turn, and writes
// the table to test-results/reset-table.md. Also: `deployctl reset --to-step`
// finishing a deploy that rolled back for a fixable cause.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import Long from 'long';
import type { temporal } from '@temporalio/proto';
import { startDeploy, waitForResult, type DeployHandle } from '../../client/api.js';
import { rollbackUpdate } from '../../workflows/messages.js';
import { deployHarness, type DeployHarness, type SpecOverrides } from '../helpers/deploys.js';
import { listRcs, setCordoned } from '../helpers/cluster.js';
import { InvariantWatcher } from '../helpers/invariants.js';
import { runCli } from '../helpers/cli.js';
import { untilProgress } from '../helpers/progress.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const CAMPAIGN = process.env.DEPLOYFLOW_RESET_CAMPAIGN === 'all';
const REPLICAS = 6;
const STRATEGY: SpecOverrides['strategy'] = { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 1, progressDeadlineSeconds: 30 };

interface Point {
  eventId: number;
  /** Where the deploy stood: the last step wait scheduled before it, or the phase before the rollout. */
  label: string;
  inRollback: boolean;
}

/** Every WorkflowTaskCompleted event of the history, labelled by the last step activity scheduled before it. */
function pointsOf(events: HistoryEvent[]): Point[] {
  let last = 'before the rollout';
  let inRollback = false;
  const points: Point[] = [];
  for (const e of events) {
    const id = e.activityTaskScheduledEventAttributes?.activityId;
    // A step's activity id: `step-3` (one activity per step), or `step-3-new` / `step-3-old` (its two waits, before).
    if (id && /^(step|rollback)-\d+(-(new|old))?$/.test(id)) {
      last = `after ${id} was scheduled`;
      inRollback ||= id.startsWith('rollback');
    }
    if (e.workflowTaskCompletedEventAttributes) points.push({ eventId: Number(e.eventId), label: last, inRollback });
  }
  return points;
}

/** The sample: a task before the new RC exists, the ones that began steps 1 and 3, and the last one. */
function sampleOf(points: Point[]): Point[] {
  const began = (step: number) => points.find((p) => p.label === `after step-${step} was scheduled` || p.label === `after step-${step}-new was scheduled`);
  const picked = [points[1], began(1), began(3), points[points.length - 1]].filter((p): p is Point => p !== undefined);
  return [...new Map(picked.map((p) => [p.eventId, p])).values()];
}

/** What an operator's Reset in the Temporal UI sends (signals and updates after the point are reapplied, Temporal's default). */
async function reset(h: DeployHarness, handle: DeployHandle, runId: string, eventId: number): Promise<string> {
  const response = await h.client.workflowService.resetWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId: handle.workflowId, runId },
    reason: `reset campaign: event ${eventId}`,
    workflowTaskFinishEventId: Long.fromNumber(eventId),
    requestId: randomUUID(),
  });
  return response.runId ?? '';
}

async function servingRcs(h: DeployHarness) {
  return (await listRcs(h.kc, h.namespace, 'awesome-api')).filter((rc) => (rc.spec?.replicas ?? 0) > 0);
}

describe('Temporal Reset on a running rollout', () => {
  let h: DeployHarness;
  let version = 1;
  const rows: string[] = [];

  before(async () => {
    h = await deployHarness('reset');
    assert.equal((await h.deploy(`registry.example/awesome-api:${version}.0.0`, h.spec({ replicas: REPLICAS, strategy: STRATEGY }))).outcome, 'Succeeded');
  });
  after(async () => {
    if (rows.length) {
      fs.mkdirSync('test-results', { recursive: true });
      const table = ['| reset to event | where the deploy stood | outcome | serving RCs | min ready | max pods |', '|---:|---|---|---:|---:|---:|', ...rows].join('\n');
      fs.writeFileSync(`test-results/reset-table${CAMPAIGN ? '' : '-sample'}.md`, table + '\n');
      console.log(table);
    }
    if (h) await setCordoned(h.kc, false);
    await h?.close();
  });

  /** Starts the next version and returns its handle once the rollout is at step `atStep`. */
  async function rolloutAt(atStep: number): Promise<{ handle: DeployHandle; runId: string; image: string }> {
    const image = `registry.example/awesome-api:${++version}.0.0`;
    const handle = await startDeploy(h.client, { spec: h.spec({ replicas: REPLICAS, strategy: STRATEGY }), environment: h.environment, image, requestedBy: 'reset-test' });
    await untilProgress(handle, (p) => p.step >= atStep);
    return { handle, runId: (await handle.describe()).runId, image };
  }

  /** A reset run's end: Succeeded, one serving RC of the new version at full size, I1/I2 held, no duplicate RC. */
  async function endsRolledOut(handle: DeployHandle, watcher: InvariantWatcher, point: Point, maxSurge: number): Promise<void> {
    const result = await waitForResult(h.client.workflow.getHandle(handle.workflowId));
    const seen = watcher.stop();
    const serving = await servingRcs(h);
    rows.push(`| ${point.eventId} | ${point.label} | ${result.outcome} | ${serving.length} | ${seen.minReady} | ${seen.maxPods} |`);

    assert.equal(result.outcome, 'Succeeded', `reset to ${point.eventId} (${point.label}): ${result.message}`);
    assert.equal(serving.length, 1, `one serving RC after reset to ${point.eventId}`);
    assert.equal(serving[0]!.spec!.replicas, REPLICAS);
    assert.match(serving[0]!.spec!.template!.spec!.containers[0]!.image!, new RegExp(`:${version}\\.0\\.0$`));
    assert.ok(seen.minReady >= REPLICAS, `I1: ready pods dropped to ${seen.minReady} after reset to ${point.eventId}`);
    assert.ok(seen.maxPods <= REPLICAS + maxSurge, `I2: pods rose to ${seen.maxPods} after reset to ${point.eventId}`);
    const rcs = await listRcs(h.kc, h.namespace, 'awesome-api');
    assert.equal(new Set(rcs.map((rc) => rc.metadata!.name)).size, rcs.length, 'no duplicate RC');
  }

  test('points to reset to: every workflow task of a rollout at step 4', async () => {
    const { handle, runId } = await rolloutAt(4);
    const events: HistoryEvent[] = (await h.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
    await waitForResult(handle);
    const points = pointsOf(events);
    // At least the start, whose task also schedules the activity that takes the steps back to back
    // (so a rollout at step 4 may have no other): resetting to it at step 4 runs the deploy again
    // from what the cluster runs then.
    assert.ok(points.length >= 1, `${points.length} workflow tasks`);
    const chosen = CAMPAIGN ? points.map((p) => p.eventId) : sampleOf(points).map((p) => p.eventId);

    for (const eventId of chosen) {
      const watcher = await new InvariantWatcher(h.kc, h.namespace, 'awesome-api').start();
      const run = await rolloutAt(4);
      const history: HistoryEvent[] = (await h.client.workflow.getHandle(run.handle.workflowId, run.runId).fetchHistory()).events ?? [];
      // The same position in this deploy's own history (event ids differ a little from run to run).
      const point = pointsOf(history).find((p) => p.eventId >= eventId) ?? pointsOf(history).at(-1)!;
      await reset(h, run.handle, run.runId, point.eventId);
      await endsRolledOut(run.handle, watcher, point, 1);
    }
  });

  test('at a surge of 3, whose steps let old pods go as new ones turn available, a reset at its step 3 still ends right', async () => {
    const wide: SpecOverrides['strategy'] = { ...STRATEGY, maxSurge: 3, minReadySeconds: 0 };
    const watcher = await new InvariantWatcher(h.kc, h.namespace, 'awesome-api').start();
    const image = `registry.example/awesome-api:${++version}.0.0`;
    const handle = await startDeploy(h.client, { spec: h.spec({ replicas: REPLICAS, strategy: wide }), environment: h.environment, image, requestedBy: 'reset-test' });
    await untilProgress(handle, (p) => p.step >= 3);
    const runId = (await handle.describe()).runId;
    const history: HistoryEvent[] = (await h.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
    // At step 3 or later: the last task, which began the activity taking those steps back to back.
    const point = pointsOf(history).at(-1);
    assert.ok(point, 'a workflow task completed');
    await reset(h, handle, runId, point.eventId);
    await endsRolledOut(handle, watcher, { ...point, label: `surge 3: ${point.label}` }, 3);
  });

  test('a reset to a task inside a rollback ends RolledBack with the old version back', async () => {
    const watcher = await new InvariantWatcher(h.kc, h.namespace, 'awesome-api').start();
    const before = (await servingRcs(h))[0]!.metadata!.name;
    const run = await rolloutAt(3);
    await run.handle.executeUpdate(rollbackUpdate, { args: [{ reason: 'reset test', requestedBy: 'reset-test' }] });
    await untilProgress(run.handle, (p) => p.phase === 'RollingBack' && p.step >= 2);
    const history: HistoryEvent[] = (await h.client.workflow.getHandle(run.handle.workflowId, run.runId).fetchHistory()).events ?? [];
    // The rollback's steps run back to back in one activity: the task that scheduled it is in the rollback.
    const began = history.find((e) => /^rollback-\d+$/.test(e.activityTaskScheduledEventAttributes?.activityId ?? ''));
    assert.ok(began, 'the rollback has begun');
    const inRollback = [{ eventId: Number(began.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId), label: 'the task that began the rollback', inRollback: true }];
    await reset(h, run.handle, run.runId, inRollback[0]!.eventId);
    const result = await waitForResult(h.client.workflow.getHandle(run.handle.workflowId));
    const seen = watcher.stop();
    assert.equal(result.outcome, 'RolledBack', result.message);
    const serving = await servingRcs(h);
    assert.deepEqual(serving.map((rc) => [rc.metadata!.name, rc.spec!.replicas]), [[before, REPLICAS]]);
    assert.ok(seen.minReady >= REPLICAS && seen.maxPods <= REPLICAS + 1, `I1/I2: ${JSON.stringify(seen)}`);
    rows.push(`| ${inRollback[inRollback.length - 1]!.eventId} | inside the rollback | ${result.outcome} | ${serving.length} | ${seen.minReady} | ${seen.maxPods} |`);
  });

  test('deployctl reset --to-step 2 finishes a deploy that rolled back because every node was cordoned', async () => {
    const env = { ...process.env, TEMPORAL_ADDRESS: h.info.temporalAddress, TEMPORAL_NAMESPACE: 'default' };
    const where = ['--env', h.environment, '--namespace', h.namespace];
    const image = `registry.example/awesome-api:${++version}.0.0`;
    const spec = h.spec({ replicas: 3, strategy: { ...STRATEGY, minReadySeconds: 2, progressDeadlineSeconds: 6 } });
    // Down to 3 replicas first, so the test's rollout is short.
    assert.match((await h.deploy(`registry.example/awesome-api:${version - 1}.0.0`, spec)).outcome, /^(Succeeded|Scaled)$/);
    const watcher = await new InvariantWatcher(h.kc, h.namespace, 'awesome-api').start();
    const handle = await startDeploy(h.client, { spec, environment: h.environment, image, requestedBy: 'reset-test' });
    try {
      // Step 1's new pod is running; step 2's will not schedule.
      await untilProgress(handle, (p) => p.step === 1 && p.waitingFor?.side === 'new');
      await setCordoned(h.kc, true);
      // The stall rolls the deploy back; the nodes are fixed meanwhile, so the old pods come back.
      await untilProgress(handle, 'RollingBack');
      await setCordoned(h.kc, false);
      const rolledBack = await waitForResult(handle);
      assert.equal(rolledBack.outcome, 'RolledBack', rolledBack.message);
      assert.equal(rolledBack.reason, 'Unschedulable');
    } finally {
      await setCordoned(h.kc, false);
    }

    const refused = await runCli(['reset', 'awesome-api', ...where, '--to-step', '9'], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /cannot reset .* to step 9: it has steps 1–2/);

    const done = await runCli(['reset', 'awesome-api', ...where, '--to-step', '2', '--reason', 'nodes uncordoned', '--requested-by', 'oncall', '-o', 'json'], env);
    assert.equal(done.code, 0, done.stderr);
    const { runId, reason } = done.json() as { runId: string; reason: string };
    assert.equal(reason, 'deployctl reset --to-step 2 by oncall: nodes uncordoned');
    const result = await waitForResult(h.client.workflow.getHandle(handle.workflowId, runId));
    assert.equal(result.outcome, 'Succeeded', result.message);
    const seen = watcher.stop();
    const serving = await servingRcs(h);
    assert.equal(serving.length, 1);
    assert.match(serving[0]!.spec!.template!.spec!.containers[0]!.image!, new RegExp(`:${version}\\.0\\.0$`));
    assert.ok(seen.minReady >= 3, `I1: ready pods dropped to ${seen.minReady}`);
    assert.ok(seen.maxPods <= 4, `I2: pods rose to ${seen.maxPods}`);
    const resetEvent = (await h.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events?.find((e) => e.workflowTaskFailedEventAttributes?.cause === 20 /* WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW */);
    assert.match(String(resetEvent?.workflowTaskFailedEventAttributes?.failure?.message), /by oncall: nodes uncordoned/, 'the reason and who asked are in history');
  });
});
