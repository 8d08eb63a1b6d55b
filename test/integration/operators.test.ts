// Operators on the real stack: a deploy stuck for a reason an operator can fix
// (every node cordoned: new pods stay Pending), found with `list --phase Stuck`
// and finished with `retry` from the stalled step; a stuck bad release rolled
// back with `rollback`; one left alone rolled back at the decision timeout; a
// cancelled deploy rolled back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDeploy, waitForResult, type DeployHandle } from '../../client/api.js';
import { progressQuery, searchAttributeKeys } from '../../workflows/messages.js';
import { deployHarness, type DeployHarness, type SpecOverrides } from '../helpers/deploys.js';
import { listPods, listRcs, setCordoned } from '../helpers/cluster.js';
import { untilPhase } from '../helpers/progress.js';
import { InvariantWatcher } from '../helpers/invariants.js';
import { historyView } from '../helpers/history-marks.js';
import { runCli } from '../helpers/cli.js';

const V1 = 'registry.example/awesome-api:1.0.0';
// A stuck deploy waits this long for an operator, then rolls back (the default is an hour): a
// decision that goes astray fails its test in minutes instead of holding the run.
const DECISION_TIMEOUT_SECONDS = 300;

describe('operators on the local stack', () => {
  let h: DeployHarness;
  let where: string[];
  let env: Record<string, string | undefined>;
  let version = 1;

  before(async () => {
    h = await deployHarness('ops');
    where = ['--env', h.environment, '--namespace', h.namespace];
    env = { ...process.env, TEMPORAL_ADDRESS: h.info.temporalAddress, TEMPORAL_NAMESPACE: 'default' };
    assert.equal((await h.deploy(V1)).outcome, 'Succeeded');
  });
  after(async () => {
    if (h) await setCordoned(h.kc, false);
    await h?.close();
  });

  async function start(image: string, overrides: SpecOverrides): Promise<DeployHandle> {
    return startDeploy(h.client, { spec: h.spec(overrides), environment: h.environment, image, requestedBy: 'ops-test' });
  }

  async function servingRc() {
    const rcs = await listRcs(h.kc, h.namespace, 'awesome-api');
    const serving = rcs.filter((rc) => (rc.spec?.replicas ?? 0) > 0);
    assert.equal(serving.length, 1, `serving RCs: ${serving.map((rc) => rc.metadata?.name)}`);
    return serving[0]!;
  }

  async function untilScheduled(): Promise<void> {
    for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const pending = (await listPods(h.kc, h.namespace, 'name=awesome-api')).filter((p) => !p.spec?.nodeName);
      if (pending.length === 0) return;
      assert.ok(Date.now() < deadline, `pods still unplaced 60 s after the uncordon: ${pending.map((p) => p.metadata?.name)}`);
    }
  }

  test('cordoned nodes → Stuck (Unschedulable) → list finds it → uncordon → retry completes from the stalled step', async () => {
    const watcher = await new InvariantWatcher(h.kc, h.namespace, 'awesome-api').start();
    await setCordoned(h.kc, true);
    const handle = await start(`registry.example/awesome-api:${++version}.0.0`, {
      strategy: { onFailure: 'wait', progressDeadlineSeconds: 5, decisionTimeoutSeconds: DECISION_TIMEOUT_SECONDS },
    });
    try {
      await untilPhase(handle, 'Stuck');
      const stuck = await handle.query(progressQuery);
      assert.equal(stuck.lastError?.reason, 'Unschedulable');
      assert.equal(stuck.step, 1);

      const list = await runCli(['list', '--env', h.environment, '--phase', 'Stuck', '-o', 'json'], env);
      assert.equal(list.code, 0, list.stderr);
      assert.ok(JSON.stringify(list.json()).includes(handle.workflowId), list.stdout);

      await setCordoned(h.kc, false);
      // As an operator would: retry once the pending pods are placed. The scheduler retries a pod it
      // could not place after a backoff of up to 10 s, longer than the retried step's 5 s deadline.
      await untilScheduled();
      const retry = await runCli(['retry', 'awesome-api', ...where, '--reason', 'nodes uncordoned', '--requested-by', 'oncall'], env);
      assert.equal(retry.code, 0, retry.stderr);
      const result = await waitForResult(handle);
      assert.equal(result.outcome, 'Succeeded', result.message);
      // The create is a local activity (a marker in history) on deploys since local calls, a scheduled one before.
      const creates = (await historyView(handle)).marks.filter((m) => m === 'activity:createReplicationController');
      assert.equal(creates.length, 1, 'the retry resumed the step instead of starting over');
    } finally {
      await setCordoned(h.kc, false);
    }
    const seen = watcher.stop();
    assert.ok(seen.minReady >= 3, `ready pods dropped to ${seen.minReady}`);
    assert.ok(seen.maxPods <= 4, `pods rose to ${seen.maxPods}`);
    assert.match((await servingRc()).spec!.template!.spec!.containers[0]!.image!, new RegExp(`:${version}\\.0\\.0$`));
  });

  test('a stuck never-ready release is rolled back with deployctl rollback', async () => {
    const before = await servingRc();
    const handle = await start('registry.example/awesome-api:66.0.0-never-ready', {
      strategy: { onFailure: 'wait', progressDeadlineSeconds: 4, decisionTimeoutSeconds: DECISION_TIMEOUT_SECONDS },
    });
    await untilPhase(handle, 'Stuck');
    const rollback = await runCli(['rollback', 'awesome-api', ...where, '--reason', 'image missing'], env);
    assert.equal(rollback.code, 0, rollback.stderr);
    const result = await waitForResult(handle);
    assert.equal(result.outcome, 'RolledBack');
    const after = await servingRc();
    assert.equal(after.metadata?.name, before.metadata?.name);
    assert.deepEqual(after.spec?.template, before.spec?.template);
    assert.equal(after.spec?.replicas, 3);
  });

  test('a stuck deploy nobody decides on rolls back at decisionTimeoutSeconds', async () => {
    const before = await servingRc();
    const handle = await start('registry.example/awesome-api:67.0.0-crashloop', {
      strategy: { onFailure: 'wait', progressDeadlineSeconds: 4, decisionTimeoutSeconds: 3 },
    });
    const result = await waitForResult(handle);
    assert.equal(result.outcome, 'RolledBack');
    assert.match(result.message, /nobody decided within 3s/);
    assert.equal((await servingRc()).metadata?.name, before.metadata?.name);
  });

  test('cancelling a running deploy (as the UI and `temporal workflow cancel` do) rolls it back', async () => {
    const before = await servingRc();
    const rcsBefore = (await listRcs(h.kc, h.namespace, 'awesome-api')).map((rc) => rc.metadata?.name);
    const handle = await start(`registry.example/awesome-api:${++version}.0.0`, { strategy: { minReadySeconds: 3 } });
    await untilPhase(handle, 'RollingOut');
    await handle.cancel();
    const result = await waitForResult(handle);
    assert.equal(result.outcome, 'RolledBack');
    const after = await servingRc();
    assert.equal(after.metadata?.name, before.metadata?.name);
    assert.equal(after.spec?.replicas, 3);
    // The RC this deploy created is gone again.
    assert.deepEqual((await listRcs(h.kc, h.namespace, 'awesome-api')).map((rc) => rc.metadata?.name), rcsBefore);
    const description = await handle.describe();
    assert.equal(description.status.name, 'CANCELLED');
    assert.equal(description.typedSearchAttributes.get(searchAttributeKeys.phase), 'RolledBack');
  });
});
