// Every branch of the release workflow, on the real Temporal dev server with
// real Nexus endpoints, the real environment-side handler, deploy and soak
// workflows, and fake clusters: promoted through a gate, a production deploy
// that rolls back (with and without --on-failure rollback), a soak that sees a
// pod lose readiness, a manual rollback during the soak and at the gate (pinned),
// an operator's stop, and a release's deploy waiting in the app's queue (behind
// a running deploy; superseded by a newer latest-wins one: pinned). Soaks are 1–2 s of real time: the dev server cannot
// skip time, and the Java time-skipping test server cannot be downloaded here.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { prepareDeploy, startDeploy, startRedeploy, waitForResult } from '../../client/api.js';
import { enqueueDeploy, waitForQueued } from '../../client/queue.js';
import { queueIdFor } from '../../domain/names.js';
import { waitForRelease, type ReleaseHandle } from '../../client/release-api.js';
import { followRelease } from '../../client/release-view.js';
import { Output } from '../../client/output.js';
import type { CliIo } from '../../client/io.js';
import { approveReleaseUpdate, releaseQuery, stopReleaseUpdate, type ReleaseProgress } from '../../workflows/release-messages.js';
import { progressQuery, queueQuery, rollbackUpdate, type QueueView } from '../../workflows/messages.js';
import { RELEASE_SEARCH_ATTRIBUTES } from '../../domain/release-plan.js';
import type { EnvironmentPhase, ReleasePhase } from '../../domain/release-state.js';
import { releaseHarness, type ReleaseHarness } from '../helpers/release-env.js';

const V1 = 'registry.example/awesome-api:1.0.0';
const V2 = 'registry.example/awesome-api:2.0.0';
const V3 = 'registry.example/awesome-api:3.0.0';
const harnesses: ReleaseHarness[] = [];
after(async () => {
  for (const h of harnesses) await h.close();
});

async function harness(scenarios: Parameters<typeof releaseHarness>[1] = {}, webhooks?: string[]): Promise<ReleaseHarness> {
  const h = await releaseHarness(['staging', 'production'], scenarios, { webhooks });
  harnesses.push(h);
  return h;
}

async function until(handle: ReleaseHandle, what: string, ok: (p: ReleaseProgress) => boolean, timeoutMs = 30_000): Promise<ReleaseProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await handle.query(releaseQuery);
    if (ok(p)) return p;
    if (Date.now() > deadline) throw new Error(`waited for ${what}; the release is ${p.phase}: ${JSON.stringify(p.environments.map((e) => [e.environment, e.phase]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const inPhase = (handle: ReleaseHandle, phase: ReleasePhase) => until(handle, phase, (p) => p.phase === phase);
const envPhase = (handle: ReleaseHandle, env: string, phase: EnvironmentPhase) => until(handle, `${env} ${phase}`, (p) => p.environments.find((e) => e.environment === env)?.phase === phase);
const servingImage = (h: ReleaseHarness, role: string) => h.clusters[role]!.appRcs(h.spec.name).filter((rc) => rc.replicas > 0).map((rc) => rc.image);

describe('release', () => {
  test('staging deploys and soaks, the gate waits, approve, production deploys: Promoted, with who approved and when', async () => {
    const h = await harness();
    const [staging, production] = h.environments as [string, string];
    const handle = await h.release(V2, { soak: '2s', approve: [production] });

    const soaking = await envPhase(handle, staging, 'Soaking');
    assert.ok(soaking.environments[0]!.soakUntil, 'the soak says when it ends');
    assert.deepEqual(servingImage(h, 'production'), [], 'production is untouched while staging soaks');

    const waiting = await inPhase(handle, 'AwaitingApproval');
    assert.deepEqual(waiting.environments.map((e) => e.phase), ['Promoted', 'AwaitingApproval']);
    assert.deepEqual(waiting.nextActions, ['approve', 'stop']);
    assert.deepEqual(servingImage(h, 'staging'), [V2]);
    // "Releases waiting for approval" is one visibility query.
    const listed = await waitForListing(h, `${RELEASE_SEARCH_ATTRIBUTES.phase} = 'AwaitingApproval' AND ${RELEASE_SEARCH_ATTRIBUTES.awaitingApproval} = '${production}'`, handle.workflowId);
    assert.equal(listed, true);

    // The Temporal UI: the static summary, and the current details as a table of environments with the next action.
    const description = await handle.describe();
    assert.equal(await description.staticSummary(), `release ${h.spec.name}: ${V2} → ${staging} → ${production}`);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', new RegExp(`\\| ${production} \\| AwaitingApproval \\| — \\| \\S+ \\| \`approve\` to deploy \\|`));
    assert.match(metadata.currentDetails ?? '', /\*\*Next action\*\*: `deployctl release approve/);

    const answer = await handle.executeUpdate(approveReleaseUpdate, { args: [{ requestedBy: 'alice', reason: 'staging looks good' }] });
    assert.match(answer.message, new RegExp(`goes to ${production}`));
    const result = await waitForRelease(handle);

    assert.equal(result.outcome, 'Promoted', result.message);
    assert.deepEqual(result.environments.map((e) => [e.phase, e.image]), [['Promoted', V2], ['Promoted', V2]]);
    assert.deepEqual(servingImage(h, 'production'), [V2]);
    const approval = result.environments[1]!.approval!;
    assert.deepEqual([approval.by, approval.reason, approval.environment], ['alice', 'staging looks good', production]);
    assert.ok(Date.parse(approval.at) > 0);
    // Each environment's deploy ran on its own worker's queue, as that environment's deploy.
    assert.deepEqual(result.environments.map((e) => e.deployWorkflowId), h.environments.map((env) => `deploy/${env}/default/${h.spec.name}`));
    // The approval is in the release's history (its payload is encrypted here; the production test reads it).
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'approve').length, 1);
    assert.ok(events.some((e) => e.nexusOperationScheduledEventAttributes?.endpoint === `deploy-${production}`), 'production was reached through its endpoint');
  });

  test('a production deploy that rolls back: Failed at production; with --on-failure rollback staging is back on its previous image', async () => {
    const h = await harness({ production: { stall: (input) => input.minAvailable > 0 && input.target.startsWith('api-') } });
    const [staging, production] = h.environments as [string, string];
    await h.deploy(staging, V1);
    const handle = await h.release(V2, { onFailure: 'rollback' });
    // What a CI log shows while `deployctl release` follows it, and the exit code it earns.
    let log = '';
    const io = { stdout: { isTTY: false, write: (t: string) => ((log += t), true) }, stderr: { write: () => true }, env: {} };
    assert.equal(await followRelease(handle, new Output(io as unknown as CliIo, 'text')), 1);
    assert.match(log, new RegExp(`^${staging}: Deploying`, 'm'));
    assert.match(log, new RegExp(`^${production}: Failed`, 'm'));
    assert.match(log, /^Failed: the deploy to .* did not succeed/m);
    assert.match(log, /^ENVIRONMENT\s+PHASE\s+IMAGE\s+SINCE\s+NEXT$/m);
    const result = await waitForRelease(handle);

    assert.equal(result.outcome, 'Failed');
    assert.equal(result.stoppedAt, production);
    assert.match(result.message, new RegExp(`the deploy to ${production} did not succeed.*rolled back ${staging}`));
    assert.deepEqual(result.environments.map((e) => e.phase), ['RolledBack', 'Failed']);
    assert.deepEqual(servingImage(h, 'staging'), [V1], 'staging runs what it ran before the release');
    assert.deepEqual(servingImage(h, 'production'), [], 'production rolled its own deploy back');
  });

  test('with --on-failure stop (the default) a failed production deploy leaves staging promoted', async () => {
    const h = await harness({ production: { stall: (input) => input.minAvailable > 0 && input.target.startsWith('api-') } });
    const [staging] = h.environments as [string, string];
    await h.deploy(staging, V1);
    const result = await waitForRelease(await h.release(V2, {}));
    assert.equal(result.outcome, 'Failed');
    assert.deepEqual(result.environments.map((e) => e.phase), ['Promoted', 'Failed']);
    assert.deepEqual(servingImage(h, 'staging'), [V2]);
  });

  test('a staging pod losing readiness during the soak fails the release before production', async () => {
    const h = await harness();
    const [staging] = h.environments as [string, string];
    const handle = await h.release(V2, { soak: '30s' });
    await envPhase(handle, staging, 'Soaking');
    h.clusters.staging!.unavailable = 1;
    const result = await waitForRelease(handle);

    assert.equal(result.outcome, 'Failed');
    assert.equal(result.stoppedAt, staging);
    assert.match(result.message, /failed its soak: .* has 2 of 3 pods available/);
    assert.deepEqual(result.environments.map((e) => e.phase), ['Failed', 'Pending']);
    assert.deepEqual(h.clusters.production!.writes, [], 'production never deployed');
  });

  test('a manual rollback of staging during its soak pins it: the release stops Pinned and never promotes', async () => {
    const h = await harness();
    const [staging] = h.environments as [string, string];
    await h.deploy(staging, V1);
    const handle = await h.release(V2, { soak: '30s' });
    const soaking = await envPhase(handle, staging, 'Soaking');
    const previous = soaking.environments[0]!.previous!;
    assert.equal(previous.image, V1);
    // What an operator types: deployctl rollback NAME --env staging --to-revision N.
    const manual = await startRedeploy(h.client, { environment: staging, namespace: 'default', name: h.spec.name, revision: previous.revision, requestedBy: 'bob' });
    const result = await waitForRelease(handle);
    assert.equal((await waitForResult(manual)).outcome, 'Succeeded');

    assert.equal(result.outcome, 'Pinned');
    assert.equal(result.stoppedAt, staging);
    assert.match(result.message, new RegExp(`${staging} is pinned: .*someone rolled back or deployed; the release stops`));
    assert.deepEqual(result.environments.map((e) => e.phase), ['Pinned', 'Pending']);
    assert.deepEqual(h.clusters.production!.writes, [], 'production never deployed');
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(servingImage(h, 'staging'), [V1], 'nothing re-promoted staging');
  });

  test("an operator's rollback of the release's own staging deploy, mid-rollout, pins the release too", async () => {
    const h = await harness({ staging: { waitMs: 1500 } });
    const [staging] = h.environments as [string, string];
    await h.deploy(staging, V1);
    const handle = await h.release(V2, { soak: '2s' });
    const deploy = h.client.workflow.getHandle(`deploy/${staging}/default/${h.spec.name}`);
    const deadline = Date.now() + 20_000;
    while ((await deploy.query(progressQuery).catch(() => undefined))?.phase !== 'RollingOut' || (await deploy.query(progressQuery)).image !== V2) {
      if (Date.now() > deadline) throw new Error('the release never started rolling staging out');
      await new Promise((r) => setTimeout(r, 100));
    }
    await deploy.executeUpdate(rollbackUpdate, { args: [{ requestedBy: 'bob', reason: 'bad metrics' }] });
    const result = await waitForRelease(handle);
    assert.equal(result.outcome, 'Pinned');
    assert.equal(result.stoppedAt, staging);
    assert.deepEqual(servingImage(h, 'staging'), [V1]);
    assert.deepEqual(h.clusters.production!.writes, []);
  });

  test('a manual rollback of staging while production waits at the gate pins the release on approve', async () => {
    const h = await harness();
    const [staging, production] = h.environments as [string, string];
    await h.deploy(staging, V1);
    const handle = await h.release(V2, { approve: [production] });
    const waiting = await inPhase(handle, 'AwaitingApproval');
    const manual = await startRedeploy(h.client, { environment: staging, namespace: 'default', name: h.spec.name, revision: waiting.environments[0]!.previous!.revision, requestedBy: 'bob' });
    await waitForResult(manual);
    await handle.executeUpdate(approveReleaseUpdate, { args: [{ requestedBy: 'alice' }] });
    const result = await waitForRelease(handle);
    assert.equal(result.outcome, 'Pinned');
    assert.equal(result.stoppedAt, staging);
    assert.deepEqual(h.clusters.production!.writes, []);
  });

  test('the release worker tells the webhooks each phase: started, awaiting approval, each environment promoted, promoted', async () => {
    const events: { event: string; environment: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        events.push((JSON.parse(body) as { deployflow: { event: string; environment: string } }).deployflow);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const h = await harness({}, [`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`]);
      const [staging, production] = h.environments as [string, string];
      const handle = await h.release(V2, { approve: [production] });
      await inPhase(handle, 'AwaitingApproval');
      await handle.executeUpdate(approveReleaseUpdate, { args: [{ requestedBy: 'alice' }] });
      assert.equal((await waitForRelease(handle)).outcome, 'Promoted');
      // Phase notifications are fire-and-forget (a webhook never holds the release up): let the last arrive.
      for (let i = 0; i < 50 && events.length < 5; i++) await new Promise((r) => setTimeout(r, 100));
      const seen = events.map((e) => `${e.event} ${e.environment}`).sort();
      assert.deepEqual(seen, [`awaiting-approval ${production}`, `promoted ${staging}→${production}`, `started ${staging}→${production}`, `succeeded ${production}`, `succeeded ${staging}`].sort());
    } finally {
      server.close();
    }
  });

  test('input the release cannot read ends it at once, typed, without calling any environment', async () => {
    const h = await harness();
    const handle = await h.client.workflow.start('release', { workflowId: `release/garbage-${Date.now()}`, taskQueue: h.releaseQueue, args: [{ spec: 'x', plan: [] }] });
    await assert.rejects(handle.result(), (err: Error) => /InvalidInput|needs spec\.name/.test(`${err.message} ${String(err.cause)}`));
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(events.some((e) => e.nexusOperationScheduledEventAttributes), false);
  });

  test('stop at the gate: Stopped, nothing more promoted; approve is refused outside the gate', async () => {
    const h = await harness();
    const [staging, production] = h.environments as [string, string];
    const handle = await h.release(V2, { soak: '30s', approve: [production] });
    await envPhase(handle, staging, 'Soaking');
    await assert.rejects(handle.executeUpdate(approveReleaseUpdate, { args: [{ requestedBy: 'alice' }] }), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError);
      assert.match(String(err.cause?.message), /cannot approve a release that is Soaking \(approve is for AwaitingApproval\)/);
      return true;
    });
    const stopped = await handle.executeUpdate(stopReleaseUpdate, { args: [{ requestedBy: 'carol', reason: 'change freeze' }] });
    assert.match(stopped.message, /stopping/);
    const result = await waitForRelease(handle);
    assert.equal(result.outcome, 'Stopped');
    assert.match(result.message, /stopped by carol \(change freeze\)/);
    assert.deepEqual(h.clusters.production!.writes, []);
  });

  test('a release waits in the queue behind a deploy of the app that runs, then deploys: Promoted', async () => {
    // The other deploy's pods take 3 s: long enough for the release to reach the queue behind it on a loaded machine.
    const h = await harness({ staging: { waitMs: 3000 } });
    const [staging] = h.environments as [string, string];
    const other = await startDeploy(h.client, { spec: h.spec, environment: staging, image: V1, requestedBy: 'someone-else' });
    const handle = await h.release(V2, {});
    const waiting = await untilQueue(h, staging, 'the release\'s deploy waiting for the lock', (v) => v.running?.waitingFor !== undefined);
    assert.match(waiting.running!.ticket, /^release-/);
    assert.match(waiting.running!.waitingFor!, /outside the queue/);
    assert.equal((await waitForResult(other)).outcome, 'Succeeded', 'the deploy that held the lock was not disturbed');
    const result = await waitForRelease(handle);
    assert.equal(result.outcome, 'Promoted');
    assert.deepEqual(servingImage(h, 'staging'), [V2]);
    const ended = await untilQueue(h, staging, 'the release\'s request finished', (v) => v.finished.some((f) => f.ticket === waiting.running!.ticket));
    assert.equal(ended.finished.find((f) => f.ticket === waiting.running!.ticket)!.outcome, 'Succeeded');
  });

  test("a newer latest-wins deploy takes the place of the release's waiting deploy: the release stops Pinned and says so", async () => {
    const h = await harness({ staging: { waitMs: 700 } });
    const [staging] = h.environments as [string, string];
    const request = (image: string) => prepareDeploy({ spec: h.spec, environment: staging, image, requestedBy: 'ci' });
    const first = await enqueueDeploy(h.client, request(V1), 'fifo');
    const handle = await h.release(V2, {});
    await untilQueue(h, staging, 'the release\'s deploy waiting', (v) => v.pending.some((p) => p.ticket.startsWith('release-')));
    const newer = await enqueueDeploy(h.client, request(V3), 'latest-wins');
    assert.equal(newer.superseded.length, 1, 'it replaced the release\'s waiting deploy');
    const result = await waitForRelease(handle);
    assert.equal(result.outcome, 'Pinned');
    assert.equal(result.stoppedAt, staging);
    assert.match(result.message, /is pinned: superseded by /);
    assert.equal((await waitForQueued(h.client, first)).outcome, 'Succeeded');
    assert.equal((await waitForQueued(h.client, newer)).outcome, 'Succeeded');
    assert.deepEqual(servingImage(h, 'staging'), [V3]);
    assert.deepEqual(h.clusters.production!.writes, [], 'production never deployed');
  });
});

async function untilQueue(h: ReleaseHarness, environment: string, what: string, ok: (v: QueueView) => boolean): Promise<QueueView> {
  const queue = h.client.workflow.getHandle(queueIdFor(environment, h.spec.namespace, h.spec.name));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const view = await queue.query(queueQuery).catch(() => undefined);
    if (view && ok(view)) return view;
    if (Date.now() > deadline) throw new Error(`the queue never reached: ${what} (${JSON.stringify(view)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForListing(h: ReleaseHarness, query: string, id: string): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    for await (const w of h.client.workflow.list({ query })) if (w.workflowId === id) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
