// Someone scales or deletes an RC by hand while a rollout runs: the deploy
// notices, says so, rolls back, and never reports a false "Succeeded".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDeploy, waitForResult, type DeployHandle } from '../../client/api.js';
import { progressQuery } from '../../workflows/messages.js';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';
import { core, listPods, listRcs } from '../helpers/cluster.js';

describe('tampering on the local stack', () => {
  let h: DeployHarness;
  let version = 1;

  before(async () => {
    h = await deployHarness('tamper');
    assert.equal((await h.deploy('registry.example/awesome-api:1.0.0')).outcome, 'Succeeded');
  });
  after(async () => {
    await h?.close();
  });

  /** Starts a slow rollout and returns once its new RC exists. */
  async function slowRollout(): Promise<{ handle: DeployHandle; oldRc: string; newRc: string }> {
    const rcs = await listRcs(h.kc, h.namespace, 'awesome-api');
    const oldRc = rcs.find((rc) => (rc.spec?.replicas ?? 0) > 0)!.metadata!.name!;
    const handle = await startDeploy(h.client, {
      spec: h.spec({ strategy: { minReadySeconds: 4 } }),
      environment: h.environment,
      image: `registry.example/awesome-api:${++version}.0.0`,
      requestedBy: 'tamper-test',
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const progress = await handle.query(progressQuery);
      if (progress.phase === 'RollingOut' && progress.newRc) return { handle, oldRc, newRc: progress.newRc.name };
      assert.ok(Date.now() < deadline, `rollout did not start (phase ${progress.phase})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('the old RC scaled down by hand mid-rollout: RolloutTampered, rolled back to full size', async () => {
    const { handle, oldRc } = await slowRollout();
    await core(h.kc).replaceNamespacedReplicationControllerScale({
      name: oldRc,
      namespace: h.namespace,
      body: { metadata: { name: oldRc, namespace: h.namespace }, spec: { replicas: 1 } },
    });
    const result = await waitForResult(handle);
    assert.equal(result.outcome, 'RolledBack');
    assert.equal(result.reason, 'RolloutTampered');
    assert.match(result.message, new RegExp(`${oldRc} was scaled to 1 by someone else`));
    const rcs = await listRcs(h.kc, h.namespace, 'awesome-api');
    assert.deepEqual(rcs.map((rc) => [rc.metadata?.name, rc.spec?.replicas]), [[oldRc, 3]]);
  });

  test('the new RC deleted by hand mid-rollout: RolloutTampered, the old one serves', async () => {
    const { handle, oldRc, newRc } = await slowRollout();
    await core(h.kc).deleteNamespacedReplicationController({ name: newRc, namespace: h.namespace });
    const result = await waitForResult(handle);
    assert.notEqual(result.outcome, 'Succeeded');
    assert.equal(result.reason, 'RolloutTampered');
    assert.match(result.message, new RegExp(`${newRc} was deleted by someone else`));
    const rcs = await listRcs(h.kc, h.namespace, 'awesome-api');
    assert.deepEqual(rcs.map((rc) => [rc.metadata?.name, rc.spec?.replicas]), [[oldRc, 3]]);
    // The deleted RC's orphaned pods do not go on serving the new version.
    const leftovers = await listPods(h.kc, h.namespace, `deployment=${newRc.slice(newRc.lastIndexOf('-') + 1)}`);
    assert.deepEqual(leftovers.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name), []);
  });
});
