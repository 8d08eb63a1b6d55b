// A rollout longer than one history can hold: thousands of pods one at a
// time, on the real Temporal server with the fake cluster (its pods are ready
// at once, so the test measures the workflow, not Kubernetes). The deploy
// continues as new between steps when Temporal suggests it or after
// maxStepsPerRun steps, so every run stays under Temporal's warning threshold
// of 10,240 events. npm test rolls 600 replicas; `npm run test:long-rollout`
// (DEPLOYFLOW_LONG_ROLLOUT=full) rolls 5,000 and prints the figures.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { temporal } from '@temporalio/proto';
import { waitForResult } from '../../client/api.js';
import { progressQuery } from '../../workflows/messages.js';
import { workflowHarness } from '../helpers/workflow-env.js';

type History = temporal.api.history.v1.IHistory;

const FULL = process.env.DEPLOYFLOW_LONG_ROLLOUT === 'full';
const REPLICAS = FULL ? 5000 : 600;
const WARNING_EVENTS = 10_240;

describe('a rollout longer than one history', () => {
  test(`${REPLICAS} replicas at surge 1 complete across runs, each under the warning threshold`, { timeout: 60 * 60_000 }, async () => {
    const h = await workflowHarness();
    try {
      const spec = h.spec({ replicas: REPLICAS, strategy: { maxSurge: 1, maxUnavailable: 0 } });
      await waitForResult(await h.start('registry.example/awesome-api:1.0.0', spec));
      const started = Date.now();
      const handle = await h.start('registry.example/awesome-api:2.0.0', spec);
      const firstRunId = (await handle.describe()).runId;
      const result = await waitForResult(handle);
      const seconds = (Date.now() - started) / 1000;
      assert.equal(result.outcome, 'Succeeded', result.message);
      assert.equal(result.steps, REPLICAS, 'one pod a step');
      assert.equal((await handle.query(progressQuery)).step, REPLICAS);

      const runs: number[] = [];
      for (let runId: string | undefined = (await handle.describe()).runId; runId; ) {
        const history: History = await h.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
        runs.unshift(history.events?.length ?? 0);
        if (runId === firstRunId) break;
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      }
      const largest = Math.max(...runs);
      console.log(`${REPLICAS} replicas: ${runs.length} runs, largest ${largest} events, ${runs.reduce((a, b) => a + b, 0)} events in all, ${seconds.toFixed(0)} s`);
      assert.ok(runs.length >= 2, `${runs.length} runs`);
      assert.ok(largest < WARNING_EVENTS, `largest run: ${largest} events`);
      assert.deepEqual(Object.values(h.cluster.replicasOf()).sort((a, b) => a - b), [0, REPLICAS]);
      assert.ok(h.cluster.maxPods <= REPLICAS + 1, `I2 on the fake cluster: ${h.cluster.maxPods}`);
      assert.equal(h.cluster.writes.filter((w) => w.startsWith('create')).length, 2);
    } finally {
      await h.close();
    }
  });
});
