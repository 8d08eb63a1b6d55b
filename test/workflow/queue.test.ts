// Every branch of the deploy queue (workflows/queue.ts), on the real Temporal
// dev server with the fake cluster's activities: fifo order, latest-wins
// superseding, reject beside a running queue, a lock held outside the queue,
// withdrawal, refusals before history, continue-as-new, a request arriving as
// the queue ends, and a per-node resize waiting behind a deploy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareDeploy, startDeploy, waitForResult } from '../../client/api.js';
import { DeployAlreadyRunningError } from '../../client/errors.js';
import { enqueueDeploy, QueueRefusedError, waitForQueued, type QueuedRequest } from '../../client/queue.js';
import { queueIdFor, scheduleIdFor, workflowIdFor } from '../../domain/names.js';
import { progressQuery, queueQuery, withdrawUpdate, type QueueView } from '../../workflows/messages.js';
import { workflowHarness, type WorkflowHarness, SIDE_BY_SIDE } from '../helpers/workflow-env.js';

const V = (n: number) => `registry.example/awesome-api:${n}.0.0`;
const APP = { namespace: 'default', name: 'awesome-api' };

function queueOf(h: WorkflowHarness, name = APP.name) {
  return h.client.workflow.getHandle(queueIdFor(h.environment, APP.namespace, name));
}

async function until(h: WorkflowHarness, what: string, ok: (v: QueueView) => boolean, name = APP.name): Promise<QueueView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const view = await queueOf(h, name).query(queueQuery);
    if (ok(view)) return view;
    assert.ok(Date.now() < deadline, `queue never reached: ${what} (${JSON.stringify(view)})`);
    await sleep(100);
  }
}

/** The images of the RCs the fake cluster holds, oldest first. */
const imagesOf = (h: WorkflowHarness) => [...h.cluster.rcs.values()].map((rc) => rc.manifest.spec.template.spec.containers[0]?.image);

const running = (ticket: string) => (v: QueueView) => v.running?.ticket === ticket && v.running.deploy !== undefined;

/** The running deploy has been admitted (sized to the nodes it saw) and rolls. */
async function untilRollingOut(h: WorkflowHarness, view: QueueView): Promise<void> {
  const deploy = h.client.workflow.getHandle(view.running!.deploy!.workflowId, view.running!.deploy!.runId);
  const deadline = Date.now() + 30_000;
  while ((await deploy.query(progressQuery)).phase !== 'RollingOut') {
    assert.ok(Date.now() < deadline, 'the deploy never rolled');
    await sleep(50);
  }
}

async function withHarness(fn: (h: WorkflowHarness, scenario: { waitMs?: number; nodes?: number }) => Promise<void>): Promise<void> {
  const scenario: { waitMs?: number; nodes?: number } = {};
  const h = await workflowHarness(scenario);
  try {
    await fn(h, scenario);
  } finally {
    await h.close();
  }
}

describe('deploy queue workflow', { concurrency: SIDE_BY_SIDE }, () => {
  test('fifo: three requests run one after the other, in order, each as the app\'s deploy', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 800;
      const queued = [await h.queue(V(1), 'fifo'), await h.queue(V(2), 'fifo'), await h.queue(V(3), 'fifo')];
      assert.deepEqual(queued.map((q) => q.position), [1, 1, 2], 'the first runs at once; the others wait in order');
      const results = await Promise.all(queued.map((q) => waitForQueued(h.client, q)));
      assert.deepEqual(results.map((r) => r.outcome), ['Succeeded', 'Succeeded', 'Succeeded']);
      assert.deepEqual(results.map((r) => r.image), [V(1), V(2), V(3)]);
      assert.ok(results.every((r) => r.workflowId === workflowIdFor(h.environment, APP.namespace, APP.name)), 'each ran under the lock id');
      // The requesters follow the deploys themselves: the queue records the last end a moment later.
      const view = await until(h, 'three finished', (v) => v.finished.length === 3);
      assert.deepEqual(view.finished.map((f) => f.ticket), queued.map((q) => q.ticket), 'finished in the order queued');
      const runs = new Set(view.finished.map((f) => f.deploy?.runId));
      assert.equal(runs.size, 3, 'three deploy runs');
      assert.equal(results[2]!.revision, 3);
    }));

  test('latest-wins: the first runs, the second ends Superseded, the third runs', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 1000;
      const first = await h.queue(V(1), 'latest-wins');
      const second = await h.queue(V(2), 'latest-wins');
      const third = await h.queue(V(3), 'latest-wins');
      assert.deepEqual(third.superseded, [second.ticket]);
      const [r1, r2, r3] = await Promise.all([first, second, third].map((q) => waitForQueued(h.client, q)));
      assert.equal(r1!.outcome, 'Succeeded');
      assert.equal(r2!.outcome, 'Superseded');
      assert.equal(r2!.queue?.supersededBy, third.ticket);
      assert.equal(r2!.steps, 0);
      assert.equal(r3!.outcome, 'Succeeded');
      assert.equal(r3!.image, V(3));
      assert.deepEqual(imagesOf(h), [V(1), V(3)], 'nothing of 2.0.0 reached the cluster');
    }));

  test('reject beside a running queue: a direct start is refused (exit 3) and the queue goes on', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 1500;
      const queued = await h.queue(V(1), 'fifo');
      await until(h, 'first running', running(queued.ticket));
      await assert.rejects(h.start(V(2)), (err: unknown) => err instanceof DeployAlreadyRunningError && err.exitCode === 3);
      assert.equal((await waitForQueued(h.client, queued)).outcome, 'Succeeded');
    }));

  test('a lock held outside the queue: the head waits for it, then runs', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 1500;
      const direct = await h.start(V(1));
      const queued = await h.queue(V(2), 'fifo');
      const view = await until(h, 'head waiting for the lock', (v) => v.running?.ticket === queued.ticket && v.running.waitingFor !== undefined);
      assert.match(view.running!.waitingFor!, /outside the queue/);
      assert.equal((await waitForResult(direct)).outcome, 'Succeeded');
      const result = await waitForQueued(h.client, queued);
      assert.equal(result.outcome, 'Succeeded');
      assert.equal(result.image, V(2));
    }));

  test('withdraw: a waiting request ends Withdrawn and never deploys; a running one cannot be withdrawn', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 1500;
      const first = await h.queue(V(1), 'fifo');
      const second = await h.queue(V(2), 'fifo');
      await until(h, 'first running', running(first.ticket));
      await assert.rejects(queueOf(h).executeUpdate(withdrawUpdate, { args: [{ ticket: first.ticket }] }), (err: Error & { cause?: Error }) => /is running/.test(err.cause?.message ?? ''));
      const ended = await queueOf(h).executeUpdate(withdrawUpdate, { args: [{ ticket: second.ticket, requestedBy: 'test' }] });
      assert.equal(ended.outcome, 'Withdrawn');
      assert.equal((await waitForQueued(h.client, second)).outcome, 'Withdrawn');
      assert.equal((await waitForQueued(h.client, first)).outcome, 'Succeeded');
      assert.deepEqual(imagesOf(h), [V(1)], 'the withdrawn request never reached the cluster');
    }));

  test('refused before history: malformed, misdirected and oversized requests leave no event', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 1500;
      const first = await h.queue(V(1), 'fifo');
      const queue = queueOf(h);
      const accepted = async () => (await queue.fetchHistory()).events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length ?? 0;
      const good = prepareDeploy({ spec: h.spec(), environment: h.environment, image: V(2), requestedBy: 'test' }).input;
      const bad: Array<[unknown, RegExp]> = [
        [{ ticket: 'x/1', policy: 'fifo', input: good }, /ticket/],
        [{ ticket: 'x1', policy: 'reject', input: good }, /reject never queues/],
        [{ ticket: 'x2', policy: 'fifo', input: { ...good, environment: 'production' } }, /environment/],
        [{ ticket: 'x3', policy: 'fifo', input: { ...good, spec: { ...good.spec, name: 'other-api' } } }, /not this queue's app/],
        [{ ticket: 'x4', policy: 'fifo', input: { ...good, source: 'x'.repeat(200_000) } }, /at most 131072/],
      ];
      for (const [request, rule] of bad) {
        await assert.rejects(queue.executeUpdate('enqueue', { args: [request] }), (err: Error & { cause?: Error }) => rule.test(err.cause?.message ?? err.message));
      }
      assert.equal(await accepted(), 1, 'only the first request reached history');
      // Through the library: a refusal is exit 2.
      const prepared = prepareDeploy({ spec: h.spec(), environment: h.environment, image: V(3), requestedBy: 'x'.repeat(200) });
      await assert.rejects(enqueueDeploy(h.client, prepared, 'fifo', { ticket: 'bad ticket' }), (err: unknown) => err instanceof QueueRefusedError && err.exitCode === 2);
      await waitForQueued(h.client, first);
    }));

  test('a full queue refuses fifo with exit 3; the same ticket twice is one request', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 3000;
      const first = await h.queue(V(1), 'fifo');
      const again = await h.queue(V(1), 'fifo', undefined, { ticket: first.ticket });
      assert.equal(again.ticket, first.ticket);
      const waiting: QueuedRequest[] = [];
      for (let i = 2; i <= 21; i++) waiting.push(await h.queue(V(i), 'fifo'));
      await assert.rejects(h.queue(V(22), 'fifo'), (err: unknown) => err instanceof QueueRefusedError && err.exitCode === 3);
      // latest-wins empties the waiting deploys: it is taken.
      const last = await h.queue(V(23), 'latest-wins');
      assert.equal(last.superseded.length, 20);
      const view = await queueOf(h).query(queueQuery);
      assert.deepEqual(view.pending.map((p) => p.ticket), [last.ticket]);
      assert.equal((await waitForQueued(h.client, last)).outcome, 'Succeeded');
    }));

  test('continue-as-new between deploys carries what waits and what ended', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 200;
      const options = { historyLimit: 50 };
      const queued: QueuedRequest[] = [];
      for (let i = 1; i <= 6; i++) queued.push(await h.queue(V(i), 'fifo', undefined, options));
      const firstRun = (await queueOf(h).describe()).runId;
      const results = await Promise.all(queued.map((q) => waitForQueued(h.client, q)));
      assert.deepEqual(results.map((r) => r.outcome), Array(6).fill('Succeeded'));
      assert.deepEqual(results.map((r) => r.image), [1, 2, 3, 4, 5, 6].map(V));
      const description = await queueOf(h).describe();
      assert.notEqual(description.runId, firstRun, 'the queue continued as new');
      const view = await until(h, 'six finished', (v) => v.finished.length === 6);
      assert.deepEqual(view.finished.map((f) => f.ticket), queued.map((q) => q.ticket), 'finished tickets survived continue-as-new');
    }));

  test('the queue ends when idle, and a request arriving as it ends is never lost', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 0;
      const options = { idleSeconds: 1 };
      const first = await h.queue(V(1), 'fifo', undefined, options);
      assert.equal((await waitForQueued(h.client, first)).outcome, 'Succeeded');
      // Requests spread over the moments the idle timer fires: each lands on a run that runs it.
      const later: QueuedRequest[] = [];
      for (let i = 0; i < 8; i++) {
        await sleep(150 + (i % 4) * 120);
        later.push(await h.queue(V(i % 2 === 0 ? 2 : 1), 'fifo', undefined, options));
      }
      const results = await Promise.all(later.map((q) => waitForQueued(h.client, q)));
      assert.ok(results.every((r) => ['Succeeded', 'Unchanged'].includes(r.outcome)), results.map((r) => r.outcome).join(' '));
      await sleep(2500);
      const description = await queueOf(h).describe();
      assert.equal(description.status.name, 'COMPLETED', 'an idle queue ends');
      // After it ended: update-with-start begins a new run.
      const next = await h.queue(V(3), 'fifo', undefined, options);
      assert.equal((await waitForQueued(h.client, next)).outcome, 'Succeeded');
      assert.notEqual((await queueOf(h).describe()).runId, description.runId);
    }));

  test('a per-node resize queued behind a deploy waits, then runs with the node count', () =>
    withHarness(async (h, scenario) => {
      scenario.nodes = 3;
      const agent = h.spec({
        name: 'node-agent',
        perNode: true,
        containers: [{ ...h.spec().containers[0]!, image: 'registry.example/node-agent', ports: [{ name: 'p', containerPort: 8125, hostPort: 8125 }] }],
        strategy: { maxSurge: 0, maxUnavailable: 1 },
      });
      const v1 = await waitForResult(await startDeploy(h.client, { spec: agent, environment: h.environment, image: ':1', requestedBy: 'test' }));
      assert.equal(v1.outcome, 'Succeeded', v1.message);
      scenario.waitMs = 1500;
      const deploy = await h.queue(':2', 'fifo', agent);
      const started = await until(h, 'deploy running', running(deploy.ticket), 'node-agent');
      await untilRollingOut(h, started);
      scenario.nodes = 5;
      const target = { environment: h.environment, namespace: APP.namespace, name: 'node-agent' };
      const reconcile = await h.client.workflow.execute('reconcilePerNode', { workflowId: `reconcile-${h.environment}`, taskQueue: `deploy-${h.environment}`, args: [target] });
      assert.equal(reconcile, 'queued');
      const view = await until(h, 'resize waiting', (v) => v.pending.some((p) => p.kind === 'resize'), 'node-agent');
      assert.equal(view.running?.ticket, deploy.ticket, 'the deploy still runs: the resize waits behind it');
      // A second check while it waits joins the waiting resize.
      assert.equal(await h.client.workflow.execute('reconcilePerNode', { workflowId: `reconcile2-${h.environment}`, taskQueue: `deploy-${h.environment}`, args: [target] }), 'queued');
      assert.equal((await queueOf(h, 'node-agent').query(queueQuery)).pending.filter((p) => p.kind === 'resize').length, 1);
      await waitForQueued(h.client, deploy);
      // A check while the resize runs joins it: no second resize waits behind it.
      await until(h, 'resize running', (v) => v.running?.kind === 'resize', 'node-agent');
      const third = await h.client.workflow.execute('reconcilePerNode', { workflowId: `reconcile3-${h.environment}`, taskQueue: `deploy-${h.environment}`, args: [target] });
      assert.ok(['queued', 'in-sync'].includes(third), third);
      assert.equal((await queueOf(h, 'node-agent').query(queueQuery)).pending.length, 0);
      const done = await until(h, 'resize finished', (v) => v.finished.some((f) => f.kind === 'resize'), 'node-agent');
      assert.equal(done.finished.find((f) => f.kind === 'resize')?.outcome, 'Scaled');
      // The resize sized what serves after the deploy (revision 2), never the revision it saw mid-rollout.
      const serving = [...h.cluster.rcs.values()].filter((rc) => rc.replicas > 0);
      assert.deepEqual(serving.map((rc) => [rc.manifest.spec.template.spec.containers[0]?.image, rc.replicas]), [['registry.example/node-agent:2', 5]]);
      await h.client.schedule.getHandle(scheduleIdFor(h.environment, APP.namespace, 'node-agent')).delete();
    }));
});
