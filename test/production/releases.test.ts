// Releases on the production topology: the release runs in the `release`
// namespace on the release worker (release:write only, no kubeconfig); each
// environment's deploy and soak are carried out by that environment's worker in
// that environment's namespace, reached through its Nexus endpoint deploy-<env>.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { workflowIdFor } from '../../domain/names.js';
import { mintToken } from '../../stack/jwt.js';
import { productionFiles } from '../../stack/production-layout.js';
import type { ProductionInfo } from '../../stack/production.js';
import type { ReleaseProgress, ReleaseResult } from '../../workflows/release-messages.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { cluster, principalEnv, uniqueApp, useProductionStack, type ClusterHandle } from '../helpers/production-stack.js';

const V1 = 'registry.example/awesome-api:1.0.0';
const V2 = 'registry.example/awesome-api:2.0.0';
const WORKER_SA = 'system:serviceaccount:default:deployflow-worker';

let info: ProductionInfo;
let staging: ClusterHandle;
let production: ClusterHandle;

before(async () => {
  info = await useProductionStack();
  staging = cluster(info, 'staging');
  production = cluster(info, 'production');
});

/** The example app under a name of its own, with quick steps (minReadySeconds 1) and a short progress deadline. */
function app(prefix: string) {
  const made = uniqueApp(prefix);
  fs.writeFileSync(made.spec, fs.readFileSync(made.spec, 'utf8').replace(/minReadySeconds: \d+/, 'minReadySeconds: 1').replace(/progressDeadlineSeconds: \d+/, 'progressDeadlineSeconds: 8'));
  return made;
}

const ci = () => principalEnv('ci-release');
const operator = () => principalEnv('operator');

async function status(name: string, image: string): Promise<ReleaseProgress> {
  const run = await runCli(['release', 'status', name, '--image', image, '-o', 'json'], operator());
  assert.equal(run.code, 0, run.stderr);
  return run.json<ReleaseProgress>();
}

async function until(name: string, image: string, what: string, ok: (p: ReleaseProgress) => boolean, timeoutMs = 120_000): Promise<ReleaseProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await status(name, image).catch(() => undefined);
    if (p && ok(p)) return p;
    if (Date.now() > deadline) throw new Error(`waited for ${what}: ${JSON.stringify(p?.environments)}`);
    await sleep(500);
  }
}

const servingImages = async (c: ClusterHandle, appLabel: string) =>
  (JSON.parse(await c.kubectl(['get', 'rc', '-n', 'default', '-l', `app=${appLabel}`, '-o', 'json'])) as { items: { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } }[] }).items
    .filter((rc) => rc.spec.replicas > 0)
    .map((rc) => rc.spec.template.spec.containers[0]!.image);

function result(run: CliRun): ReleaseResult {
  return run.json<ReleaseResult>();
}

describe('releases on the production topology', () => {
  test('staging deploys, soaks 20 s, waits; approve; production deploys: Promoted, each cluster running only its own deploy', async () => {
    const { spec, name, app: label } = app('release');
    for (const c of [staging, production]) c.audit.mark();
    // The release principal cannot deploy anywhere itself: its token holds the release namespace only.
    const direct = await runCli(['deploy', '-f', spec, '--env', 'staging', '--image', V2], ci());
    assert.equal(direct.code, 4, direct.stderr);
    assert.match(direct.stderr, /namespace "staging".*PermissionDenied/s);

    const started = Date.now();
    const running = runCli(['release', '-f', spec, '--image', V2, '--through', 'staging,production', '--soak', '20s', '--approve', 'production', '-o', 'json'], ci());
    const soaking = await until(name, V2, 'staging to soak', (p) => p.environments[0]?.phase === 'Soaking');
    assert.deepEqual(await servingImages(production, label), [], 'production untouched while staging soaks');
    const waiting = await until(name, V2, 'the gate', (p) => p.phase === 'AwaitingApproval');
    assert.ok(Date.now() - started >= 20_000, 'the gate opened after the soak');
    assert.ok(Date.parse(waiting.environments[0]!.since) >= Date.parse(soaking.environments[0]!.since));
    assert.deepEqual(waiting.environments.map((e) => e.phase), ['Promoted', 'AwaitingApproval']);

    const waitingList = await runCli(['release', 'list', '--awaiting-approval', '-o', 'json'], operator());
    assert.equal(waitingList.code, 0, waitingList.stderr);
    assert.ok(waitingList.json<{ releaseId: string; awaitingApproval?: string }[]>().some((r) => r.releaseId === waiting.releaseId && r.awaitingApproval === 'production'));

    const approve = await runCli(['release', 'approve', name, '--image', V2, '--reason', 'staging soaked clean'], operator());
    assert.equal(approve.code, 0, approve.stderr);
    const done = await running;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(result(done).outcome, 'Promoted');

    const final = await status(name, V2);
    assert.equal(final.phase, 'Promoted');
    const approval = final.environments[1]!.approval!;
    assert.deepEqual([approval.environment, approval.by, approval.reason], ['production', 'operator', 'staging soaked clean']);
    const text = await runCli(['release', 'status', name, '--image', V2], operator());
    assert.match(text.stdout, /approved for production by operator at \S+ \(staging soaked clean\)/);
    // The release's history holds the approve update: who asked and why, and when it was accepted.
    const connection = await Connection.connect({ address: info.temporalAddress, apiKey: await mintToken(productionFiles().keys, 'operator'), tls: false });
    try {
      const history = await new Client({ connection, namespace: 'release' }).workflow.getHandle(final.releaseId).fetchHistory();
      const accepted = history.events?.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'approve');
      assert.ok(accepted?.eventTime, 'the approve update is in history, with its time');
      const args = accepted.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads!.map((p) => JSON.parse(Buffer.from(p.data!).toString()));
      assert.deepEqual(args, [{ reason: 'staging soaked clean', requestedBy: 'operator' }]);
      // Its deploys ran in their own namespaces: the release's history holds Nexus operations, no child workflows.
      assert.equal(history.events?.filter((e) => e.nexusOperationCompletedEventAttributes).length, 7, 'in each environment what served, its deploy and its soak; and at the gate, staging still serving');
      assert.equal(history.events?.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes), false);
    } finally {
      await connection.close();
    }

    for (const c of [staging, production]) {
      assert.deepEqual(await servingImages(c, label), [V2], c.environment);
      const rcs = JSON.parse(await c.kubectl(['get', 'rc', '-n', 'default', '-l', `app=${label}`, '-o', 'json'])) as { items: { metadata: { annotations: Record<string, string> } }[] };
      assert.deepEqual(rcs.items.map((rc) => rc.metadata.annotations['deployflow.io/workflow-id']), [workflowIdFor(c.environment, 'default', name)], `${c.environment} ran its own deploy`);
      const writers = new Set(c.audit.deployWritesSince().map((e) => e.user.username));
      assert.deepEqual([...writers], [WORKER_SA], `${c.environment}: written by its own worker only`);
    }
  });

  test('a production deploy that rolls back: Failed at production; with --on-failure rollback staging is back on its previous image', async () => {
    const { spec, name, app: label } = app('release-fail');
    for (const c of [staging, production]) {
      const first = await runCli(['deploy', '-f', spec, '--env', c.environment, '--image', V1], principalEnv(c.environment === 'staging' ? 'ci-staging' : 'ci-production'));
      assert.equal(first.code, 0, first.stderr);
    }
    // Production cannot start one more pod: the surge pod of the new version never comes, the deploy stalls and rolls back.
    const pods = (await production.kubectl(['get', 'pods', '-n', 'default', '--no-headers'])).trim().split('\n').filter(Boolean).length;
    const quota = `release-test-${name}`;
    await production.kubectl(['create', 'quota', quota, '-n', 'default', `--hard=pods=${pods}`]);
    try {
      const run = await runCli(['release', '-f', spec, '--image', V2, '--through', 'staging,production', '--on-failure', 'rollback', '-o', 'json'], ci());
      assert.equal(run.code, 1, run.stderr);
      const r = result(run);
      assert.equal(r.outcome, 'Failed');
      assert.equal(r.stoppedAt, 'production');
      assert.deepEqual(r.environments.map((e) => e.phase), ['RolledBack', 'Failed']);
    } finally {
      await production.kubectl(['delete', 'quota', quota, '-n', 'default']);
    }
    assert.deepEqual(await servingImages(staging, label), [V1], 'staging back on its previous image');
    assert.deepEqual(await servingImages(production, label), [V1], 'production rolled its own deploy back');
  });

  test('a staging pod losing readiness during the soak fails the release before production', async () => {
    const { spec, name, app: label } = app('release-soak');
    const running = runCli(['release', '-f', spec, '--image', V2, '--through', 'staging,production', '--soak', '2m', '-o', 'json'], ci());
    await until(name, V2, 'staging to soak', (p) => p.environments[0]?.phase === 'Soaking');
    const pod = (await staging.kubectl(['get', 'pods', '-n', 'default', '-l', `app=${label}`, '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    await staging.kubectl(['patch', 'pod', pod, '-n', 'default', '--subresource=status', '--type=strategic', '-p', JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False' }] } })]);
    const run = await running;
    assert.equal(run.code, 1, run.stderr);
    const r = result(run);
    assert.equal(r.outcome, 'Failed');
    assert.equal(r.stoppedAt, 'staging');
    assert.match(r.message, /staging failed its soak: .* of 3 pods available/);
    assert.deepEqual(await servingImages(production, label), [], 'production never deployed');
  });

  test('a manual rollback of staging during its soak pins it: the release stops and never promotes', async () => {
    const { spec, name, app: label } = app('release-pin');
    const first = await runCli(['deploy', '-f', spec, '--env', 'staging', '--image', V1], principalEnv('ci-staging'));
    assert.equal(first.code, 0, first.stderr);
    const running = runCli(['release', '-f', spec, '--image', V2, '--through', 'staging,production', '--soak', '2m', '-o', 'json'], ci());
    const soaking = await until(name, V2, 'staging to soak', (p) => p.environments[0]?.phase === 'Soaking');
    const revision = soaking.environments[0]!.previous!.revision;
    const rollback = await runCli(['rollback', name, '--env', 'staging', '--to-revision', String(revision)], operator());
    assert.equal(rollback.code, 0, rollback.stderr);
    const run = await running;
    assert.equal(run.code, 1, run.stderr);
    const r = result(run);
    assert.equal(r.outcome, 'Pinned');
    assert.equal(r.stoppedAt, 'staging');
    assert.match(r.message, /staging is pinned/);
    await sleep(2000);
    assert.deepEqual(await servingImages(staging, label), [V1], 'staging stays where the operator put it');
    assert.deepEqual(await servingImages(production, label), [], 'production never deployed');
  });
});
