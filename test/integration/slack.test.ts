// Deploying from Slack, end to end on the local stack: the real Bolt server
// receives requests signed exactly as Slack signs them and calls a local
// stand-in for Slack's Web API (Slack cannot be reached from here); Temporal,
// the deploy worker, the Slack app's own worker and the cluster are real.
//   - /deploy → one message, edited as the deploy runs → Approve at the gate,
//     refused for the requester and for someone no rule allows, accepted for
//     another @platform member → Succeeded, the approver recorded in history;
//   - forged, unsigned, stale and replayed requests: 401, nothing started or updated;
//   - a stuck production deploy: confirmation first, Retry and Roll back from buttons;
//   - the Web API answering 429 and 500 for a while: the deploy is unaffected
//     and the message ends correct.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { waitForResult, type DeployHandle } from '../../client/api.js';
import { parseSpecText } from '../../client/spec-file.js';
import type { AppSpec } from '../../domain/spec.js';
import { workflowIdFor } from '../../domain/names.js';
import { approveUpdate, progressQuery, searchAttributeKeys, type DeployProgress } from '../../workflows/messages.js';
import { freshNamespace, listRcs } from '../helpers/cluster.js';
import { stackKubeConfig, useStack } from '../helpers/stack.js';
import { startWorker, temporalClient, type RunningWorker } from '../helpers/temporal.js';
import {
  findButton,
  startSlackAppUnderTest,
  TEST_SIGNING_SECRET,
  TEST_TOKEN,
  type SlackAppUnderTest,
  type SlackUser,
  type WebApiCall,
} from '../helpers/slack.js';

const example = parseSpecText(fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8'));
const alice: SlackUser = { id: 'U0ALICE', name: 'alice' };
const bob: SlackUser = { id: 'U0BOB', name: 'bob' }; // in the @platform user group
const carol: SlackUser = { id: 'U0CAROL', name: 'carol' };
const dave: SlackUser = { id: 'U0DAVE', name: 'dave' }; // in the @platform user group

const PERMISSIONS = {
  groups: { platform: { usergroup: 'S0PLATFORM' } },
  rules: [
    { name: 'anyone-in-dev', who: ['anyone'], environments: ['dev'], actions: ['deploy', 'status', 'retry', 'rollback', 'pause', 'resume'] },
    { name: 'platform-approves', who: ['@platform'], environments: ['dev', 'production'], actions: ['approve'] },
    { name: 'platform-runs-production', who: ['@platform'], environments: ['production'], actions: ['deploy', 'status', 'retry', 'rollback', 'pause', 'resume'] },
  ],
  confirm: ['production'],
};

interface Env {
  info: Awaited<ReturnType<typeof useStack>>;
  client: Client;
  namespace: string;
  worker: RunningWorker;
  s: SlackAppUnderTest;
  spec: AppSpec;
  close(): Promise<void>;
}

async function setUp(environment: string, strategy: Partial<AppSpec['strategy']>, taskQueue: string): Promise<Env> {
  const info = await useStack();
  const kc = stackKubeConfig(info);
  const namespace = await freshNamespace(kc, 'slack');
  const client = await temporalClient(info);
  const worker = await startWorker(info, kc, environment, [namespace]);
  const spec: AppSpec = { ...example, namespace, strategy: { ...example.strategy, minReadySeconds: 0, progressDeadlineSeconds: 15, ...strategy } };
  const s = await startSlackAppUnderTest(info, client, { specs: [spec], permissions: PERMISSIONS, taskQueue: `${taskQueue}-${namespace}` });
  s.api.usergroups.set('S0PLATFORM', [bob.id, dave.id]);
  return {
    info,
    client,
    namespace,
    worker,
    s,
    spec,
    async close() {
      await s.stop();
      await worker.stop();
      await client.connection.close();
    },
  };
}

async function eventually<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Message {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
}

/** The message as Slack would show it now: its last successful write. */
function current(s: SlackAppUnderTest, ts: string): Message {
  const writes = s.api.messageWrites(ts);
  const last = writes.at(-1)!;
  return { channel: String(last.args.channel), ts, text: String(last.args.text), blocks: last.args.blocks as unknown[] };
}

/** Waits for the next deploy message (a chat.postMessage after `before` posts) and returns its ts. */
async function nextMessage(s: SlackAppUnderTest, before: number): Promise<string> {
  const posted = await eventually('the deploy message', () => s.api.ok('chat.postMessage')[before]);
  return String(posted.args.__ts);
}

function untilText(s: SlackAppUnderTest, ts: string, pattern: RegExp, timeoutMs?: number): Promise<Message> {
  return eventually(`the message to match ${pattern}`, () => (pattern.test(current(s, ts).text) ? current(s, ts) : undefined), timeoutMs);
}

/** The message once it carries the run's result (the phase can read final a moment before the run ends). */
function untilFinal(s: SlackAppUnderTest, ts: string, outcome: string, timeoutMs?: number): Promise<Message> {
  const line = `*${outcome}*: `;
  return eventually(`the final ${outcome} message`, () => (JSON.stringify(current(s, ts).blocks).includes(line) ? current(s, ts) : undefined), timeoutMs);
}

function ephemeralsFor(s: SlackAppUnderTest, user: SlackUser): WebApiCall[] {
  return s.api.ok('chat.postEphemeral').filter((c) => c.args.user === user.id);
}

async function nextEphemeral(s: SlackAppUnderTest, user: SlackUser, before: number): Promise<string> {
  const call = await eventually(`an ephemeral reply to ${user.name}`, () => ephemeralsFor(s, user)[before]);
  return String(call.args.text);
}

async function progressOf(client: Client, workflowId: string): Promise<DeployProgress> {
  return client.workflow.getHandle(workflowId).query(progressQuery);
}

/** The requestedBy of every accepted update in a run's history, as Temporal recorded it. */
async function acceptedUpdates(client: Client, handle: WorkflowHandle): Promise<Array<{ name: string; requestedBy?: string }>> {
  const history = await handle.fetchHistory();
  const { payloadConverter: converter, payloadCodecs } = client.options.loadedDataConverter;
  // History holds payloads as stored (encrypted): open them with the client's codecs first.
  const open = async (p: Payload) => {
    let payloads = [p];
    for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    return payloads[0]!;
  };
  const found: Array<{ name: string; requestedBy?: string }> = [];
  for (const e of history.events ?? []) {
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    if (!accepted) continue;
    const arg = accepted.args?.payloads?.[0];
    found.push({ name: accepted.name ?? '', requestedBy: arg ? (converter.fromPayload(await open(arg)) as { requestedBy?: string }).requestedBy : undefined });
  }
  return found;
}

function noSecretsLogged(s: SlackAppUnderTest): void {
  const all = s.log.join('\n');
  assert.ok(!all.includes(TEST_TOKEN) && !all.includes(TEST_SIGNING_SECRET), 'the token and the signing secret never reach the log');
}

describe('deploy from Slack: the live message, the approval gate, refusals and forged requests', () => {
  let e: Env;
  let workflowId: string;
  before(async () => {
    e = await setUp('dev', { approval: 'after-first-step' }, 'slack');
    workflowId = workflowIdFor('dev', e.namespace, 'awesome-api');
  });
  after(async () => {
    if (e) noSecretsLogged(e.s);
    await e?.close();
  });

  let firstDeploy: Awaited<ReturnType<SlackAppUnderTest['slack']['post']>>;

  test('/deploy awesome-api dev :1.0.0 → one message, edited until Succeeded', async () => {
    firstDeploy = await e.s.slack.post(e.s.slack.slashCommand(alice, 'awesome-api dev :1.0.0'));
    assert.equal(firstDeploy.status, 200, firstDeploy.text);
    assert.match(firstDeploy.text, /Deploy `registry\.example\/awesome-api:1\.0\.0` of \*awesome-api\*/);
    const ts = await nextMessage(e.s, 0);
    const done = await untilFinal(e.s, ts, 'Succeeded');
    assert.match(JSON.stringify(done.blocks), /Open in Temporal/);
    assert.equal(findButton(done.blocks, 'deployflow_rollback'), undefined, 'no buttons once it ended');
    assert.equal(e.s.api.ok('chat.postMessage').length, 1, 'one message for the deploy');
    const handle = e.client.workflow.getHandle(workflowId);
    assert.equal((await handle.describe()).typedSearchAttributes.get(searchAttributeKeys.requestedBy), 'slack:U0ALICE (alice)');
  });

  let gate: Message;
  test('/deploy awesome-api dev :1.1.0 (by bob) → the message shows the steps, then Approve at the gate', async () => {
    const res = await e.s.slack.post(e.s.slack.slashCommand(bob, 'awesome-api dev :1.1.0'));
    assert.equal(res.status, 200, res.text);
    const ts = await nextMessage(e.s, 1);
    gate = await untilText(e.s, ts, /AwaitingApproval/);
    assert.ok(findButton(gate.blocks, 'deployflow_approve'), 'an Approve button at the gate');
    assert.ok(findButton(gate.blocks, 'deployflow_rollback'), 'and Roll back');
    const texts = e.s.api.messageWrites(ts).map((w) => JSON.stringify(w.args.blocks));
    assert.ok(texts.some((t) => /step 1\/3/.test(t) && /\[#+-*\] \d\/3 ready/.test(t)), 'a write showed step 1/3 with ready bars');
    assert.equal((await progressOf(e.client, workflowId)).requestedBy, 'slack:U0BOB (bob)');
  });

  test('Approve refused: by the requester (no-self-approval), by someone no rule allows; nothing is sent to the deploy', async () => {
    for (const [user, reason] of [
      [bob, /rule no-self-approval: nobody approves their own deploy \(requested by slack:U0BOB \(bob\)\)/],
      [carol, /<@U0CAROL> may not approve in dev: no rule grants it; rule platform-approves allows it for @platform/],
    ] as const) {
      const before = ephemeralsFor(e.s, user).length;
      const res = await e.s.slack.post(e.s.slack.buttonClick(user, gate, 'deployflow_approve'));
      assert.equal(res.status, 200);
      assert.match(await nextEphemeral(e.s, user, before), reason);
    }
    const progress = await progressOf(e.client, workflowId);
    assert.equal(progress.phase, 'AwaitingApproval');
    assert.deepEqual(progress.actions, [], 'no update reached the deploy');
    assert.deepEqual(await acceptedUpdates(e.client, e.client.workflow.getHandle(workflowId)), []);
  });

  test('forged, unsigned and stale clicks are refused with 401 before anything runs', async () => {
    const body = e.s.slack.buttonClick(dave, gate, 'deployflow_approve');
    const callsBefore = e.s.api.calls.length;
    const forged = await e.s.slack.post(body, { secret: 'not-the-signing-secret' });
    const unsigned = await e.s.slack.post(body, { unsigned: true });
    const stale = await e.s.slack.post(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    const future = await e.s.slack.post(body, { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 });
    assert.deepEqual([forged.status, unsigned.status, stale.status, future.status], [401, 401, 401, 401]);
    assert.match(unsigned.text, /unsigned request/);
    assert.match(stale.text, /outside the 5-minute window/);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(e.s.api.calls.slice(callsBefore).filter((c) => c.method !== 'chat.update').length, 0, 'no reply, no group lookup: nothing ran');
    const progress = await progressOf(e.client, workflowId);
    assert.equal(progress.phase, 'AwaitingApproval');
    assert.deepEqual(progress.actions, []);
  });

  let approval: Awaited<ReturnType<SlackAppUnderTest['slack']['post']>>;
  test('Approve by another @platform member → the deploy finishes → history records slack:U0DAVE as approver', async () => {
    approval = await e.s.slack.post(e.s.slack.buttonClick(dave, gate, 'deployflow_approve'));
    assert.equal(approval.status, 200);
    const done = await untilFinal(e.s, gate.ts, 'Succeeded');
    assert.match(JSON.stringify(done.blocks), /registry\.example\/awesome-api:1\.1\.0/);
    const handle = e.client.workflow.getHandle(workflowId);
    assert.equal((await waitForResult(handle as DeployHandle)).outcome, 'Succeeded');
    assert.deepEqual(await acceptedUpdates(e.client, handle), [{ name: 'approve', requestedBy: 'slack:U0DAVE (dave)' }]);
  });

  test('a stale Approve gets the reason as an ephemeral reply and the message is refreshed', async () => {
    const before = ephemeralsFor(e.s, dave).length;
    const updatesBefore = e.s.api.ok('chat.update').length;
    const res = await e.s.slack.post(e.s.slack.buttonClick(dave, gate, 'deployflow_approve'));
    assert.equal(res.status, 200);
    assert.match(await nextEphemeral(e.s, dave, before), /approve refused: the deploy has ended \(Succeeded\); there is nothing to approve/);
    const refreshed = await eventually('the refresh', () => e.s.api.ok('chat.update').slice(updatesBefore).find((c) => c.args.ts === gate.ts));
    assert.equal(findButton(refreshed.args.blocks as unknown[], 'deployflow_approve'), undefined, 'the stale button is gone');
  });

  test('replayed requests (the approval click, the first /deploy) are refused: nothing started or updated', async () => {
    const runBefore = (await e.client.workflow.getHandle(workflowId).describe()).runId;
    const replayedClick = await e.s.slack.send(approval.signed);
    const replayedDeploy = await e.s.slack.send(firstDeploy.signed);
    assert.deepEqual([replayedClick.status, replayedDeploy.status], [401, 401]);
    assert.match(replayedDeploy.text, /replayed request/);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await e.client.workflow.getHandle(workflowId).describe()).runId, runBefore, 'no deploy was started');
    assert.equal(e.s.api.ok('chat.postMessage').length, 2, 'no new message');
  });
});

describe('deploy from Slack: a stuck production deploy', () => {
  let e: Env;
  let workflowId: string;
  before(async () => {
    e = await setUp('production', { onFailure: 'wait', progressDeadlineSeconds: 5, decisionTimeoutSeconds: 600 }, 'slack-prod');
    workflowId = workflowIdFor('production', e.namespace, 'awesome-api');
  });
  after(async () => {
    if (e) noSecretsLogged(e.s);
    await e?.close();
  });

  async function confirmedDeploy(user: SlackUser, text: string): Promise<void> {
    const opened = e.s.api.ok('views.open').length;
    const res = await e.s.slack.post(e.s.slack.slashCommand(user, text));
    assert.equal(res.status, 200, res.text);
    const view = await eventually('the confirmation dialog', () => e.s.api.ok('views.open')[opened]);
    const modal = view.args.view as { callback_id: string; private_metadata: string; submit: { text: string } };
    assert.equal(modal.submit.text, 'Deploy');
    const submitted = await e.s.slack.post(e.s.slack.viewSubmission(user, modal));
    assert.equal(submitted.status, 200, submitted.text);
  }

  test('production: refused for someone no rule allows; asks @platform for confirmation before starting', async () => {
    const refused = await e.s.slack.post(e.s.slack.slashCommand(alice, 'awesome-api production :1.0.0'));
    assert.match(refused.text, /<@U0ALICE> may not deploy in production: no rule grants it; rule platform-runs-production allows it for @platform/);
    const res = await e.s.slack.post(e.s.slack.slashCommand(bob, 'awesome-api production :1.0.0'));
    assert.equal(res.status, 200);
    const view = await eventually('the confirmation dialog', () => e.s.api.ok('views.open')[0]);
    assert.match(JSON.stringify(view.args.view), /Deploy `registry\.example\/awesome-api:1\.0\.0` of \*awesome-api\* in \*production\*\?/);
    await new Promise((r) => setTimeout(r, 500));
    await assert.rejects(e.client.workflow.getHandle(workflowId).describe(), /not found/i, 'nothing starts before the confirmation');
    const modal = view.args.view as { callback_id: string; private_metadata: string };
    await e.s.slack.post(e.s.slack.viewSubmission(bob, modal));
    const ts = await nextMessage(e.s, 0);
    await untilFinal(e.s, ts, 'Succeeded');
  });

  let stuck: Message;
  test(':2.0.0-never-ready → Stuck with the pods reason; Retry and Roll back ask for confirmation', async () => {
    await confirmedDeploy(bob, 'awesome-api production :2.0.0-never-ready');
    const ts = await nextMessage(e.s, 1);
    stuck = await untilText(e.s, ts, /Stuck/);
    const blocks = JSON.stringify(stuck.blocks);
    assert.match(blocks, /ImagePullBackOff/);
    for (const id of ['deployflow_retry', 'deployflow_rollback']) {
      const button = findButton(stuck.blocks, id);
      assert.ok(button?.confirm, `${id} asks for confirmation in production`);
    }
  });

  test('Retry from the button re-runs the step (stuck again); a second, stale Retry gets the validator reason', async () => {
    const before = ephemeralsFor(e.s, bob).length;
    const res = await e.s.slack.post(e.s.slack.buttonClick(bob, stuck, 'deployflow_retry'));
    assert.equal(res.status, 200);
    await eventually('the retry', async () => (await progressOf(e.client, workflowId)).actions.find((a) => a.action === 'retry'));
    const stale = await e.s.slack.post(e.s.slack.buttonClick(bob, stuck, 'deployflow_retry'));
    assert.equal(stale.status, 200);
    const reply = await nextEphemeral(e.s, bob, before);
    assert.match(reply, /retry refused: retry refused in phase RollingOut: retry needs a stuck deploy \(nothing has failed\)/);
    const progress = await eventually('stuck again', async () => {
      const p = await progressOf(e.client, workflowId);
      return p.phase === 'Stuck' ? p : undefined;
    });
    assert.deepEqual(progress.actions.map((a) => [a.action, a.requestedBy]), [['retry', 'slack:U0BOB (bob)']]);
    stuck = await untilText(e.s, stuck.ts, /Stuck/);
  });

  test('Roll back from the button → RolledBack; 1.0.0 serves again', async () => {
    const res = await e.s.slack.post(e.s.slack.buttonClick(bob, stuck, 'deployflow_rollback'));
    assert.equal(res.status, 200);
    const done = await untilFinal(e.s, stuck.ts, 'RolledBack');
    assert.match(JSON.stringify(done.blocks), /rollback requested by slack:U0BOB \(bob\)/);
    const result = await waitForResult(e.client.workflow.getHandle(workflowId) as DeployHandle);
    assert.equal(result.outcome, 'RolledBack');
    const rcs = await listRcs(stackKubeConfig(e.info), e.namespace, 'awesome-api');
    const serving = rcs.filter((rc) => (rc.spec?.replicas ?? 0) > 0);
    assert.equal(serving.length, 1);
    assert.match(serving[0]!.spec?.template?.spec?.containers?.[0]?.image ?? '', /:1\.0\.0$/);
  });
});

describe('deploy from Slack: the Web API answering 429 and 500 for a while', () => {
  let e: Env;
  after(async () => {
    if (e) noSecretsLogged(e.s);
    await e?.close();
  });

  test('the deploy is unaffected and the message ends correct', async () => {
    // The gate holds the rollout while Slack fails, so the failures meet a running deploy.
    e = await setUp('dev', { approval: 'after-first-step' }, 'slack-outage');
    const workflowId = workflowIdFor('dev', e.namespace, 'awesome-api');
    const first = await e.s.slack.post(e.s.slack.slashCommand(alice, 'awesome-api dev :1.0.0'));
    assert.equal(first.status, 200, first.text);
    await untilFinal(e.s, await nextMessage(e.s, 0), 'Succeeded');

    let outage = true;
    let posts = 0;
    let updates = 0;
    e.s.api.fault = (method) => {
      if (method === 'chat.postMessage') return ++posts <= 2 ? { status: posts === 1 ? 429 : 500, retryAfter: 1 } : undefined;
      if (method === 'chat.update' && outage) return ++updates % 2 === 1 ? { status: 500 } : { status: 429, retryAfter: 1 };
      return undefined;
    };
    const res = await e.s.slack.post(e.s.slack.slashCommand(alice, 'awesome-api dev :1.1.0'));
    assert.equal(res.status, 200, res.text);
    const handle = e.client.workflow.getHandle(workflowId) as DeployHandle;
    await eventually('the gate', async () => (await handle.query(progressQuery)).phase === 'AwaitingApproval');
    const ts = await nextMessage(e.s, 1);
    await handle.executeUpdate(approveUpdate, { args: [{ requestedBy: 'outage-test' }] });
    const result = await waitForResult(handle);
    assert.equal(result.outcome, 'Succeeded', 'the deploy finished while Slack failed');
    await eventually('429 and 500 for chat.update too', () => {
      const failures = e.s.api.failed().map((c) => `${c.method} ${c.status}`);
      return ['chat.postMessage 429', 'chat.postMessage 500', 'chat.update 500', 'chat.update 429'].every((f) => failures.includes(f));
    });
    assert.doesNotMatch(current(e.s, ts).text, /Succeeded/, 'Slack has not been told yet');

    outage = false;
    const done = await untilFinal(e.s, ts, 'Succeeded', 60_000);
    assert.match(JSON.stringify(done.blocks), /serves registry\.example\/awesome-api:1\.1\.0 with 3 replicas/);
    assert.equal(e.s.api.ok('chat.postMessage').length, 2, 'still one message per deploy');

    // Unaffected: the deploy's history has no Slack in it; the follower ended with the deploy's outcome.
    const runId = (await handle.describe()).runId;
    assert.doesNotMatch(JSON.stringify(await handle.fetchHistory()), /followDeployMessage|chat\.update/);
    const follower = e.client.workflow.getHandle(`slack-message/${workflowId}/${runId}`);
    assert.deepEqual(await follower.result(), { ts, outcome: 'Succeeded' });
    assert.ok(!JSON.stringify(await follower.fetchHistory()).includes(TEST_TOKEN), 'the token is not in the follower history');
  });
});
