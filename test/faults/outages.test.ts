// Stack outages mid-rollout (a sample; the long ones: npm run test:reliability):
// the Temporal dev server killed and restarted on its SQLite file, and the
// apiserver away for ~20 s. Each deploy goes on and succeeds, I1-I4 hold.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { faultHarness, type FaultHarness } from '../helpers/fault-harness.js';
import { componentOutage } from '../helpers/fault-stack.js';
import { faultRun } from '../helpers/fault-run.js';

const v2 = 'registry.example/awesome-api:2.0.0';

describe('stack outages mid-rollout (sample)', { timeout: 600_000 }, () => {
  let h: FaultHarness;
  before(async () => {
    h = await faultHarness('outage-sample', { proxy: true });
  });
  after(async () => {
    await h?.close();
  });

  test('Temporal killed and restarted on its database mid-rollout: the deploy continues and succeeds', { timeout: 300_000 }, async () => {
    await faultRun(h, {
      app: 'temporal-restart',
      image: v2,
      at: { mark: 'activity:rollStep', nth: 1 },
      async fault() {
        await componentOutage('temporal', 3000, { hard: true });
      },
      allowed: ['Succeeded'],
    });
    assert.equal(h.worker.child.exitCode, null, 'the worker survived the restart');
  });

  test('the apiserver away for ~20 s mid-rollout: activities retry and the deploy succeeds', { timeout: 300_000 }, async (t) => {
    await faultRun(h, {
      app: 'apiserver-outage',
      image: v2,
      // After the apiserver returns, the controller manager's informers back off for up to a
      // minute before the RC controller acts again: a deadline that outlasts that keeps this
      // about the outage (the reliability tier shows a short deadline rolling back cleanly).
      overrides: { strategy: { progressDeadlineSeconds: 150 } },
      // Steps run back to back in one activity: step 2's wait begins once its scale-up passed.
      atCall: { target: 'scale-new', replicas: 2 },
      async fault() {
        t.diagnostic(`apiserver away for ${await componentOutage('kube-apiserver', 10_000)} s`);
      },
      allowed: ['Succeeded'],
    });
    assert.equal(h.worker.child.exitCode, null, 'the worker survived the outage');
  });
});
