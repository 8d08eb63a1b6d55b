// The queued deploy (workflows/queued-deploy.ts), the way a release's deploy
// waits for the app's lock: on the real Temporal dev server with the fake
// cluster's activities. It waits behind what is queued and returns its own
// deploy's result; cancelled, it takes back a waiting request or cancels its
// running deploy; a request the queue refuses tells its waiter why; and the
// queue answers only the one workflow a ticket may name.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareDeploy } from '../../client/api.js';
import { waitForQueued } from '../../client/queue.js';
import { queueIdFor, queuedDeployIdFor, taskQueueFor, workflowIdFor } from '../../domain/names.js';
import { QUEUED_DEPLOY_WORKFLOW, queueQuery, type DeployResult, type QueuedDeployInput, type QueueView } from '../../workflows/messages.js';
import { workflowHarness, type WorkflowHarness, SIDE_BY_SIDE } from '../helpers/workflow-env.js';

const V = (n: number) => `registry.example/awesome-api:${n}.0.0`;
const APP = { namespace: 'default', name: 'awesome-api' };
let tickets = 0;

/** Starts a queued deploy of `image` under the id its ticket names, as the Nexus handler does. */
async function startQueued(h: WorkflowHarness, image: string, overrides: Partial<QueuedDeployInput> = {}, workflowId?: string) {
  const ticket = overrides.ticket ?? `release-test-${tickets++}`;
  const { input } = prepareDeploy({ spec: h.spec(), environment: h.environment, image, requestedBy: 'release rel/1' });
  const request: QueuedDeployInput = { ticket, policy: 'fifo', input, ...overrides };
  return h.client.workflow.start<(r: QueuedDeployInput) => Promise<DeployResult>>(QUEUED_DEPLOY_WORKFLOW, {
    workflowId: workflowId ?? queuedDeployIdFor(h.environment, APP.namespace, APP.name, ticket),
    taskQueue: taskQueueFor(h.environment),
    args: [request],
  });
}

async function until(h: WorkflowHarness, what: string, ok: (v: QueueView) => boolean): Promise<QueueView> {
  const queue = h.client.workflow.getHandle(queueIdFor(h.environment, APP.namespace, APP.name));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const view = await queue.query(queueQuery).catch(() => undefined);
    if (view && ok(view)) return view;
    assert.ok(Date.now() < deadline, `queue never reached: ${what} (${JSON.stringify(view)})`);
    await sleep(100);
  }
}

const imagesOf = (h: WorkflowHarness) => [...h.cluster.rcs.values()].map((rc) => rc.manifest.spec.template.spec.containers[0]?.image);

async function withHarness(fn: (h: WorkflowHarness, scenario: { waitMs?: number }) => Promise<void>): Promise<void> {
  const scenario: { waitMs?: number } = {};
  const h = await workflowHarness(scenario);
  try {
    await fn(h, scenario);
  } finally {
    await h.close();
  }
}

describe('queued deploy', { concurrency: SIDE_BY_SIDE }, () => {
  test('waits behind a queued request, then returns its own deploy\'s result, run under the lock id', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 600;
      const first = await h.queue(V(1), 'fifo');
      await until(h, 'first running', (v) => v.running?.ticket === first.ticket);
      const queued = await startQueued(h, V(2));
      const view = await until(h, 'the queued deploy waiting', (v) => v.pending.some((p) => p.replyTo === queued.workflowId));
      assert.equal(view.pending.length, 1, 'it waits behind the running request');
      const result = await queued.result();
      assert.equal(result.outcome, 'Succeeded');
      assert.equal(result.image, V(2));
      assert.equal(result.workflowId, workflowIdFor(h.environment, APP.namespace, APP.name));
      assert.equal(result.revision, 2, 'it ran after the first request');
      assert.equal((await waitForQueued(h.client, first)).outcome, 'Succeeded');
      assert.deepEqual(imagesOf(h), [V(1), V(2)]);
    }));

  test('cancelled while it waits: its request is withdrawn and never deploys', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 1000;
      const first = await h.queue(V(1), 'fifo');
      const queued = await startQueued(h, V(2));
      await until(h, 'the queued deploy waiting', (v) => v.pending.some((p) => p.replyTo === queued.workflowId));
      await queued.cancel();
      const result = await queued.result();
      assert.equal(result.outcome, 'Withdrawn');
      assert.match(result.message, /withdrawn by cancelled queued\//);
      assert.equal((await waitForQueued(h.client, first)).outcome, 'Succeeded');
      assert.deepEqual(imagesOf(h), [V(1)], 'the withdrawn request never reached the cluster');
    }));

  test('cancelled while its deploy runs: the deploy is cancelled, rolls back, and that is the result', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 1000;
      const queued = await startQueued(h, V(1));
      const view = await until(h, 'its deploy running', (v) => v.running?.replyTo === queued.workflowId && v.running.deploy !== undefined);
      await queued.cancel();
      const result = await queued.result();
      assert.equal(result.outcome, 'RolledBack');
      const deploy = h.client.workflow.getHandle(view.running!.deploy!.workflowId, view.running!.deploy!.runId);
      assert.equal((await deploy.describe()).status.name, 'CANCELLED', 'the deploy itself was cancelled');
    }));

  test('a request the queue refuses tells its waiter why; nothing deploys', () =>
    withHarness(async (h) => {
      const { input } = prepareDeploy({ spec: h.spec(), environment: h.environment, image: V(1), requestedBy: 'release rel/1' });
      const queued = await startQueued(h, V(1), { input: { ...input, source: 'x'.repeat(200_000) } });
      const result = await queued.result();
      assert.equal(result.outcome, 'Failed');
      assert.match(result.message, /the queue refused the request: input: is \d+ bytes/);
      assert.deepEqual(imagesOf(h), []);
    }));

  test('the queue answers only the workflow a ticket names; a queued deploy under another id does nothing', () =>
    withHarness(async (h, scenario) => {
      scenario.waitMs = 1000;
      const first = await h.queue(V(1), 'fifo');
      const queue = h.client.workflow.getHandle(queueIdFor(h.environment, APP.namespace, APP.name));
      const good = prepareDeploy({ spec: h.spec(), environment: h.environment, image: V(2), requestedBy: 'test' }).input;
      await assert.rejects(
        queue.executeUpdate('enqueue', { args: [{ ticket: 't1', policy: 'fifo', input: good, replyTo: workflowIdFor(h.environment, APP.namespace, 'other-api') }] }),
        (err: Error & { cause?: Error }) => /replyTo: must be queued\/.*\/t1/.test(err.cause?.message ?? err.message),
      );
      const misnamed = await startQueued(h, V(2), { ticket: 't2' }, `queued/${h.environment}/${APP.namespace}/${APP.name}/t3`);
      await assert.rejects(misnamed.result(), (err: Error & { cause?: Error }) => /WorkflowIdMismatch|runs as queued/.test(`${err.cause?.message} ${(err.cause as { type?: string })?.type}`));
      assert.equal((await waitForQueued(h.client, first)).outcome, 'Succeeded');
      assert.deepEqual(imagesOf(h), [V(1)]);
    }));
});
