// The production topology under faults, in the middle of a rollout: the Temporal
// server killed and restarted, PostgreSQL restarted, and one of two workers of an
// environment killed. Each time the deploy finishes, and a pod watch from outside
// shows I1 (ready pods never below desired − maxUnavailable) and I2 (pods never
// above desired + maxSurge) held throughout, with exactly one RC serving after.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { restartProductionService, stopProductionService, workerEnv, readProductionState, type Environment, type ProductionInfo } from '../../stack/production.js';
import { productionFiles } from '../../stack/production-layout.js';
import { startDaemon, stopDaemon, sleep, waitFor } from '../../stack/processes.js';
import { repoRoot } from '../../stack/layout.js';
import { runCli } from '../helpers/cli.js';
import { PodExtremesWatcher } from '../helpers/pod-extremes.js';
import { cluster, principalEnv, uniqueApp, useProductionStack, type ClusterHandle } from '../helpers/production-stack.js';

const { spec: SPEC, name: APP, app: APP_LABEL } = uniqueApp('outages');
const DESIRED = 3; // examples/awesome-api.yaml: replicas 3, maxSurge 1, maxUnavailable 0
let info: ProductionInfo;
let version = 0;

before(async () => {
  info = await useProductionStack();
});

const ci = (environment: Environment) => principalEnv(environment === 'staging' ? 'ci-staging' : 'ci-production');

async function replicasOf(c: ClusterHandle): Promise<{ name: string; replicas: number }[]> {
  const list = JSON.parse(await c.kubectl(['get', 'rc', '-n', 'default', '-l', `app=${APP_LABEL}`, '-o', 'json'])) as { items: { metadata: { name: string }; spec: { replicas: number } }[] };
  return list.items.map((rc) => ({ name: rc.metadata.name, replicas: rc.spec.replicas }));
}

/**
 * Deploys a new image to `environment` with a pod watch running, calls `fault`
 * once the new RC has its first pod, then waits for the deploy to end.
 */
async function deployThrough(environment: Environment, fault: () => Promise<void>): Promise<void> {
  const c = cluster(info, environment);
  // A first version serving, so the rollout has something to keep available.
  const first = await runCli(['deploy', '-f', SPEC, '--env', environment, '--image', `registry.example/awesome-api:2.0.${++version}`], ci(environment));
  assert.equal(first.code, 0, first.stderr);
  const before = await replicasOf(c);

  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const watcher = await new PodExtremesWatcher(kc, 'default', `app=${APP_LABEL}`).start();
  const started = await runCli(['deploy', '-f', SPEC, '--env', environment, '--image', `registry.example/awesome-api:2.0.${++version}`, '--no-wait'], ci(environment));
  assert.equal(started.code, 0, started.stderr);
  await waitFor('the new RC to get its first pod', async () => (await replicasOf(c)).some((rc) => !before.some((b) => b.name === rc.name) && rc.replicas > 0), 60_000);
  await fault();
  const watched = await runCli(['watch', APP, '--env', environment], principalEnv('operator'));
  const extremes = watcher.stop();
  assert.equal(watched.code, 0, `${watched.stdout}\n${watched.stderr}`);
  assert.ok(extremes.minReady >= DESIRED, `I1: ready pods fell to ${extremes.minReady} (${extremes.atMinReady})`);
  assert.ok(extremes.maxPods <= DESIRED + 1, `I2: ${extremes.maxPods} pods at once (${extremes.atMaxPods})`);
  const serving = (await replicasOf(c)).filter((rc) => rc.replicas > 0);
  assert.equal(serving.length, 1, `one RC serving: ${JSON.stringify(serving)}`);
  assert.equal(serving[0]!.replicas, DESIRED);
}

describe('production topology: outages in the middle of a rollout', () => {
  test('the Temporal server killed (SIGKILL) and restarted: the deploy finishes, I1/I2 hold', async () => {
    await deployThrough('production', async () => {
      await stopProductionService('temporal-server', { hard: true });
      await sleep(3_000);
      await restartProductionService('temporal-server');
    });
  });

  test('PostgreSQL restarted: the deploy finishes, I1/I2 hold', async () => {
    await deployThrough('production', async () => {
      await stopProductionService('postgres');
      await sleep(3_000);
      await restartProductionService('postgres');
    });
  });

  test('two workers in staging, one killed mid-rollout: the other finishes the deploy without waiting for a restart', async () => {
    const files = productionFiles();
    const state = readProductionState(files)!;
    const second = startDaemon('worker-staging-2', process.execPath, [path.join(repoRoot, 'bin', 'deployctl.js'), 'worker', '--env', 'staging'], files.logs, workerEnv('staging', state, files));
    try {
      await waitFor('the second staging worker', async () => fs.readFileSync(path.join(files.logs, 'worker-staging-2.log'), 'utf8').includes('"worker started"'), 120_000);
      await deployThrough('staging', () => stopProductionService('worker-staging', { hard: true }));
    } finally {
      await stopDaemon(second);
      await restartProductionService('worker-staging');
    }
  });
});
