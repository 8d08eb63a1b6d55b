// The deploy on the real stack: first deploy, rolling update with I1/I2
// watched during the rollout, automatic rollbacks (I3), idempotence (I4).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';
import { listPods, listRcs } from '../helpers/cluster.js';
import { InvariantWatcher } from '../helpers/invariants.js';

describe('deploy on the local stack', () => {
  let h: DeployHarness;
  before(async () => {
    h = await deployHarness('deploy');
  });
  after(async () => {
    await h?.close();
  });

  test('first deploy creates one RC at full size with the environment secret mounted', async () => {
    const result = await h.deploy('registry.example/awesome-api:1.0.0');
    assert.equal(result.outcome, 'Succeeded', result.message);
    const rcs = await listRcs(h.kc, h.namespace, 'awesome-api');
    assert.equal(rcs.length, 1);
    const rc = rcs[0]!;
    assert.equal(rc.spec?.replicas, 3);
    assert.equal(rc.status?.readyReplicas, 3);
    const pod = rc.spec?.template?.spec;
    assert.ok(pod?.volumes?.some((v) => v.secret?.secretName === 'environment'));
    assert.ok(pod?.containers[0]?.env?.some((e) => e.name === 'ENVIRONMENT' && e.valueFrom?.secretKeyRef?.name === 'environment'));
  });

  test('the same image again changes nothing: no new RC, same pods (I4)', async () => {
    const before = (await listPods(h.kc, h.namespace, 'name=awesome-api')).map((p) => p.metadata?.uid).sort();
    const result = await h.deploy('registry.example/awesome-api:1.0.0');
    assert.equal(result.outcome, 'Unchanged');
    const after = (await listPods(h.kc, h.namespace, 'name=awesome-api')).map((p) => p.metadata?.uid).sort();
    assert.deepEqual(after, before);
    assert.equal((await listRcs(h.kc, h.namespace, 'awesome-api')).length, 1);
  });

  test('v1 → v2 rolls stepwise: ready never below 3 (I1), pods never above 4 (I2), only v2 left (I3)', async () => {
    const watcher = await new InvariantWatcher(h.kc, h.namespace, 'awesome-api').start();
    const result = await h.deploy('registry.example/awesome-api:2.0.0', h.spec({ strategy: { minReadySeconds: 1 } }));
    const seen = watcher.stop();
    assert.equal(result.outcome, 'Succeeded', result.message);
    assert.equal(result.steps, 3);
    assert.ok(seen.minReady >= 3, `ready pods dropped to ${seen.minReady}`);
    assert.ok(seen.maxPods <= 4, `pods rose to ${seen.maxPods}`);
    const rcs = await listRcs(h.kc, h.namespace, 'awesome-api');
    const serving = rcs.filter((rc) => (rc.spec?.replicas ?? 0) > 0);
    assert.equal(serving.length, 1);
    assert.match(serving[0]!.spec!.template!.spec!.containers[0]!.image!, /:2\.0\.0$/);
  });

  test('an old pod goes as soon as a new one can stand in for it, not after the whole batch: I1 and I2 hold', async () => {
    const watcher = await new InvariantWatcher(h.kc, h.namespace, 'awesome-api').start();
    // Surge 3 of 3: the plan is one batch (3 new, wait, 0 old). The pods turn Ready at
    // random moments over half a second, so a step that waits only for what lets an
    // old pod go takes more steps than that.
    const result = await h.deploy('registry.example/awesome-api:2.1.0', h.spec({ strategy: { maxSurge: 3, maxUnavailable: 0 } }));
    const seen = watcher.stop();
    assert.equal(result.outcome, 'Succeeded', result.message);
    assert.ok(result.steps > 1, `${result.steps} step: the rollout waited for the whole batch before letting an old pod go`);
    assert.ok(seen.minReady >= 3, `ready pods dropped to ${seen.minReady}`);
    assert.ok(seen.maxPods <= 6, `pods rose to ${seen.maxPods}`);
  });

  for (const [kind, reason] of [
    ['never-ready', 'ImagePullBackOff'],
    ['crashloop', 'CrashLoopBackOff'],
  ] as const) {
    test(`a ${kind} release rolls back by itself: old RC whole and unchanged, new RC gone (I3)`, async () => {
      const beforeRcs = await listRcs(h.kc, h.namespace, 'awesome-api');
      const old = beforeRcs.find((rc) => (rc.spec?.replicas ?? 0) > 0)!;
      const watcher = await new InvariantWatcher(h.kc, h.namespace, 'awesome-api').start();
      const result = await h.deploy(`registry.example/awesome-api:3.0.0-${kind}`, h.spec({ strategy: { progressDeadlineSeconds: 6 } }));
      const seen = watcher.stop();
      assert.equal(result.outcome, 'RolledBack');
      assert.equal(result.reason, reason, result.message);
      assert.ok(seen.minReady >= 3, `ready pods dropped to ${seen.minReady}`);
      const afterRcs = await listRcs(h.kc, h.namespace, 'awesome-api');
      assert.deepEqual(afterRcs.map((rc) => rc.metadata?.name), beforeRcs.map((rc) => rc.metadata?.name));
      const back = afterRcs.find((rc) => rc.metadata?.name === old.metadata?.name)!;
      assert.equal(back.spec?.replicas, 3);
      assert.deepEqual(back.spec?.template, old.spec?.template);
    });
  }
});
