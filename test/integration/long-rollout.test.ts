// A rollout that continues as new on the real stack: continue-as-new forced
// every few steps, a pod watch checking I1/I2 during every run, and `status`
// answering throughout (a query to the workflow id always reaches the latest
// run). npm test rolls 30 replicas, continuing every 5 steps;
// `npm run test:long-rollout` (DEPLOYFLOW_LONG_ROLLOUT=full) 300, every 20.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDeploy, waitForResult } from '../../client/api.js';
import { progressQuery } from '../../workflows/messages.js';
import { deployHarness } from '../helpers/deploys.js';
import { listRcs } from '../helpers/cluster.js';
import { InvariantWatcher } from '../helpers/invariants.js';
import { runCli } from '../helpers/cli.js';

const FULL = process.env.DEPLOYFLOW_LONG_ROLLOUT === 'full';
const REPLICAS = FULL ? 300 : 30;
const EVERY = FULL ? 20 : 5;

describe('continue-as-new on the real stack', () => {
  test(`${REPLICAS} replicas, continuing as new every ${EVERY} steps, keep I1/I2 and answer status throughout`, { timeout: 60 * 60_000 }, async () => {
    const h = await deployHarness('long');
    try {
      const spec = h.spec({ replicas: REPLICAS, strategy: { maxSurge: 1, maxUnavailable: 0 } });
      assert.equal((await h.deploy('registry.example/awesome-api:1.0.0', spec)).outcome, 'Succeeded');
      const watcher = await new InvariantWatcher(h.kc, h.namespace, 'awesome-api').start();
      const handle = await startDeploy(h.client, {
        spec,
        environment: h.environment,
        image: 'registry.example/awesome-api:2.0.0',
        requestedBy: 'long-rollout-test',
        maxStepsPerRun: EVERY,
      });
      const runIds = new Set<string>();
      const steps = new Set<number>();
      let queries = 0;
      let cliChecks = 0;
      const env = { ...process.env, TEMPORAL_ADDRESS: h.info.temporalAddress, TEMPORAL_NAMESPACE: 'default' };
      for (;;) {
        const [progress, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
        queries += 1;
        runIds.add(description.runId);
        steps.add(progress.step);
        if (queries % 20 === 0) {
          const status = await runCli(['status', 'awesome-api', '--env', h.environment, '--namespace', h.namespace, '-o', 'json'], env);
          assert.ok(status.code === 0 || status.code === 1, `status answered: ${status.stderr}`);
          cliChecks += 1;
        }
        if (progress.result) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const result = await waitForResult(handle);
      const seen = watcher.stop();
      console.log(`${REPLICAS} replicas: ${runIds.size} runs seen by status, ${queries} queries, ${cliChecks} CLI status calls, min ready ${seen.minReady}, max pods ${seen.maxPods}`);
      assert.equal(result.outcome, 'Succeeded', result.message);
      assert.equal(result.steps, REPLICAS);
      assert.ok(runIds.size >= Math.floor(REPLICAS / EVERY) / 2, `the deploy ran as several runs (${runIds.size} seen)`);
      assert.ok(steps.size > 2, 'progress moved while it was followed');
      assert.ok(seen.minReady >= REPLICAS, `I1: ready pods dropped to ${seen.minReady}`);
      assert.ok(seen.maxPods <= REPLICAS + 1, `I2: pods rose to ${seen.maxPods}`);
      const serving = (await listRcs(h.kc, h.namespace, 'awesome-api')).filter((rc) => (rc.spec?.replicas ?? 0) > 0);
      assert.equal(serving.length, 1);
    } finally {
      await h.close();
    }
  });
});
