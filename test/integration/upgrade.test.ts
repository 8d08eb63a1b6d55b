// A worker upgrade with a deploy in flight, on the real stack: the deploy starts
// on build A and waits at its approval gate; build B (a changed workflow: the
// real one plus a patched() step, test/fixtures/upgrade/) starts beside A and
// promotes itself to current — the rolling update of the in-cluster worker
// Deployment. The approval, sent while both builds poll, reaches B; A stops
// while the rollout goes on, and the deploy finishes on B.
// Proven from the history: workflow tasks completed by both builds, none by A
// once B was current, none failed; B's new path ran; I1 and I2 held throughout.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDeploy, waitForResult } from '../../client/api.js';
import { parseSpecText } from '../../client/spec-file.js';
import { failureConverterPath } from '../../codec/data-converter.js';
import { workerDeploymentFor } from '../../domain/names.js';
import { approveUpdate, progressQuery } from '../../workflows/messages.js';
import { buildIdOfBundle } from '../../worker/build-id.js';
import { createWorker, workflowInterceptorModules } from '../../worker/run.js';
import { promoteWhenRegistered } from '../../worker/versioning.js';
import { FINISHED_BY_MEMO } from '../fixtures/upgrade/names.js';
import { runCli } from '../helpers/cli.js';
import { freshNamespace } from '../helpers/cluster.js';
import { rawHistory } from '../helpers/history.js';
import { InvariantWatcher } from '../helpers/invariants.js';
import { useStack, stackKubeConfig } from '../helpers/stack.js';
import { WorkerProcess } from '../helpers/worker-process.js';
import { repoRoot } from '../../stack/layout.js';
import { rawTemporalClient, temporalClient, workflowBundle } from '../helpers/temporal.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import type { KubeConfig } from '@kubernetes/client-node';

const example = parseSpecText(fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8'));
const buildBWorkflows = fileURLToPath(new URL('../fixtures/upgrade/workflows.ts', import.meta.url));
const quiet = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Build B, in-process: the same createWorker as `deployctl worker`, with the fixture's bundle. */
async function startBuildB(info: StackInfo, kc: KubeConfig, environment: string, namespace: string, code: string) {
  const worker = await createWorker({
    environment,
    kubeConfig: kc,
    namespaces: [namespace],
    temporal: { connectionOptions: { address: info.temporalAddress }, namespace: 'default' },
    workflowBundle: { code },
    shutdownGraceSeconds: 2,
    versioning: {},
  });
  const running = worker.run();
  return {
    worker,
    buildId: worker.options.workerDeploymentOptions!.version.buildId,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

async function untilFile(file: string, what: string): Promise<string> {
  for (let i = 0; !fs.existsSync(file); i++) {
    assert.ok(i < 240, what);
    await sleep(250);
  }
  return fs.readFileSync(file, 'utf8').trim();
}

describe('worker upgrade with a deploy in flight', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  test('a deploy started on build A finishes on build B; no workflow task fails; I1 and I2 hold', async (t) => {
    const info = await useStack();
    const kc = stackKubeConfig(info);
    const namespace = await freshNamespace(kc, 'upgrade');
    const environment = `env-${namespace}`;
    const client: Client = await temporalClient(info);
    const raw = await rawTemporalClient(info);
    cleanups.push(() => client.connection.close(), () => raw.connection.close());

    const buildA = buildIdOfBundle((await workflowBundle()).code);
    const codeB = (await bundleWorkflowCode({ workflowsPath: buildBWorkflows, workflowInterceptorModules, failureConverterPath, logger: quiet })).code;
    assert.notEqual(buildA, buildIdOfBundle(codeB), 'a changed workflow is another build');

    // Build A: `deployctl worker` as the in-cluster Deployment runs it, the only worker; it
    // makes its build current once it polls, and only then writes its ready file.
    const logs = path.join(repoRoot, 'test-results', `upgrade-${process.pid}`);
    const readyFile = path.join(logs, 'a.ready');
    const a = await WorkerProcess.start({
      environment, namespaces: [namespace], kubeconfig: info.kubeconfig, temporalAddress: info.temporalAddress,
      logFile: path.join(logs, 'a.log'), args: ['--ready-file', readyFile],
    }, 300_000);
    cleanups.push(() => a.stop());
    assert.equal(await untilFile(readyFile, 'build A became current and ready'), buildA, 'the same code bundled by another process: the same build id');
    assert.match(fs.readFileSync(a.logFile, 'utf8'), /"worker build promoted to current"/);

    // An old version fully ready, then the update that waits for approval after its first step.
    const spec = { ...example, namespace, strategy: { ...example.strategy, minReadySeconds: 0, progressDeadlineSeconds: 30 } };
    const first = await startDeploy(client, { spec, environment, image: 'registry.example/awesome-api:1.0.0', requestedBy: 'upgrade-test' });
    assert.equal((await waitForResult(first)).outcome, 'Succeeded');
    const watcher = await new InvariantWatcher(kc, namespace, spec.name).start();
    cleanups.push(async () => void watcher.stop());
    const gated = { ...spec, strategy: { ...spec.strategy, approval: 'after-first-step' as const } };
    const handle = await startDeploy(client, { spec: gated, environment, image: 'registry.example/awesome-api:1.1.0', requestedBy: 'upgrade-test' });
    for (let i = 0; (await handle.query(progressQuery)).phase !== 'AwaitingApproval'; i++) {
      assert.ok(i < 240, 'the deploy reached its approval gate on build A');
      await sleep(250);
    }

    // Build B beside A (maxSurge 1), current once it polls.
    const b = await startBuildB(info, kc, environment, namespace, codeB);
    cleanups.push(() => b.stop());
    const promoted = await promoteWhenRegistered(b.worker);
    assert.deepEqual(promoted.promotion, { kind: 'promote', replaces: buildA }, 'B is newer than A: it takes over');
    // A promoted by hand (or restarting) must not take over: its code cannot replay what B writes.
    const back = await runCli(['workers', 'promote', '--env', environment, '--build-id', buildA], { TEMPORAL_ADDRESS: info.temporalAddress });
    assert.equal(back.code, 1, back.stderr);
    assert.match(back.stderr, /older than the current build/);

    // The approval while both builds poll, then A goes (SIGTERM, as Kubernetes stops a pod) mid-rollout.
    await handle.executeUpdate(approveUpdate, { args: [{ reason: 'upgrade test', requestedBy: 'upgrade-test' }] });
    await a.stop();
    assert.equal((await a.exited).code, 0, 'A shut down cleanly');
    const result = await waitForResult(handle);
    assert.equal(result.outcome, 'Succeeded', JSON.stringify(result));
    const extremes = watcher.stop();
    t.diagnostic(`pods: min ready ${extremes.minReady}, max ${extremes.maxPods}, ${extremes.events} watch events`);

    const events = (await rawHistory(raw, handle.workflowId, handle.firstExecutionRunId)).events ?? [];
    const completedBy = events.flatMap((e) => (e.workflowTaskCompletedEventAttributes ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId ?? ''] : []));
    assert.ok(completedBy.includes(buildA), `build A completed workflow tasks: ${completedBy.join(' ')}`);
    assert.ok(completedBy.includes(b.buildId), `build B completed workflow tasks: ${completedBy.join(' ')}`);
    t.diagnostic(`workflow tasks completed by: ${completedBy.join(' ')}; A=${buildA} B=${b.buildId}`);
    const firstOfB = completedBy.indexOf(b.buildId);
    assert.deepEqual(completedBy.slice(firstOfB).filter((id) => id !== b.buildId), [], 'no task went back to A once B was current');
    assert.ok(completedBy.slice(0, firstOfB).every((id) => id === buildA), `every task before was A's: ${completedBy.join(' ')}`);
    assert.equal(events.filter((e) => e.workflowTaskFailedEventAttributes).length, 0, 'no workflow task failed on either build');
    assert.equal(events.filter((e) => e.workflowTaskTimedOutEventAttributes).length, 0, 'no workflow task timed out on either build');
    const memo = (await client.workflow.getHandle(handle.workflowId).describe()).memo ?? {};
    assert.equal(memo[FINISHED_BY_MEMO], 'B', "build B's patched() path ran for the deploy started on A");

    // I1 (availability) and I2 (surge) from outside, while the workers changed under the rollout.
    const { desired, maxSurge, maxUnavailable } = { desired: spec.replicas, maxSurge: Number(spec.strategy.maxSurge), maxUnavailable: Number(spec.strategy.maxUnavailable) };
    assert.ok(extremes.events > 3, `the watch saw the rollout (${extremes.events} events)`);
    assert.ok(extremes.minReady >= desired - maxUnavailable, `I1: min ready ${extremes.minReady} >= ${desired - maxUnavailable}`);
    assert.ok(extremes.maxPods <= desired + maxSurge, `I2: max pods ${extremes.maxPods} <= ${desired + maxSurge}`);

    // What an operator sees: B current and polling, A gone.
    const workers = await runCli(['workers', '--env', environment, '-o', 'json'], { TEMPORAL_ADDRESS: info.temporalAddress });
    const doc = workers.json<{ healthy: boolean; currentBuildId: string; workers: Array<{ buildId: string | null }> }>();
    assert.equal(workers.code, 0, workers.stderr);
    assert.equal(doc.currentBuildId, b.buildId);
    assert.ok(doc.workers.some((w) => w.buildId === b.buildId), `a worker of B polls (${workerDeploymentFor(environment)})`);
  });
});
