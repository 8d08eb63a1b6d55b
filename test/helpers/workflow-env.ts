// Workflow-logic tests: the real deploy workflow on the stack's real Temporal
// dev server, with the fake cluster's activities instead of Kubernetes.
import { Worker } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { activityInterceptors } from '../../worker/activity-interceptors.js';
import fs from 'node:fs';
import type { AppSpec } from '../../domain/spec.js';
import { taskQueueFor } from '../../domain/names.js';
import { parseSpecText } from '../../client/spec-file.js';
import { prepareDeploy, startDeploy, type DeployHandle, type DeployRequest } from '../../client/api.js';
import { enqueueDeploy, type QueuedRequest, type QueueOptions } from '../../client/queue.js';
import type { WaitingPolicy } from '../../domain/queue.js';
import { useStack } from './stack.js';
import { temporalClient, workflowBundle } from './temporal.js';
import { FakeCluster, type Scenario } from './fake-cluster.js';
import { codecSetup } from '../../codec/data-converter.js';
import type { SpecOverrides } from './deploys.js';

/**
 * How many tests of a workflow file run side by side (`describe(name, { concurrency: SIDE_BY_SIDE }, …)`):
 * each harness has an environment of its own — task queue, worker, fake cluster, workflow ids —
 * and the tests mostly wait on pods and timers; three at once keep two cores' worth of workers
 * and server responsive.
 */
export const SIDE_BY_SIDE = 3;

const example = parseSpecText(fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8'));
let counter = 0;

export interface WorkflowHarness {
  client: Client;
  environment: string;
  cluster: FakeCluster;
  spec(overrides?: SpecOverrides): AppSpec;
  start(image: string, spec?: AppSpec, extra?: Partial<DeployRequest>): Promise<DeployHandle>;
  /** A second worker on the same task queue, in front of another fake cluster (two workers of one environment). */
  addWorker(scenario: Scenario): Promise<FakeCluster>;
  /** Queues a deploy on the app's queue (an empty queue lingers `idleSeconds`, 5 unless told). */
  queue(image: string, policy: WaitingPolicy, spec?: AppSpec, options?: QueueOptions): Promise<QueuedRequest>;
  close(): Promise<void>;
}

export async function workflowHarness(scenario: Scenario = {}): Promise<WorkflowHarness> {
  const info = await useStack();
  const environment = `wf-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  const cluster = new FakeCluster(environment, scenario);
  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  // A second worker in this process needs a build of its own (the SDK refuses two alike on one
  // queue); unversioned, so the server hands tasks to either.
  const workerFor = async (fake: FakeCluster, fakeScenario: Scenario, buildId?: string) =>
    Worker.create({
      ...(buildId && { workerDeploymentOptions: { useWorkerVersioning: false, version: { deploymentName: `fake-${environment}`, buildId } } }),
      connection,
      namespace: 'default',
      taskQueue: taskQueueFor(environment),
      workflowBundle: await workflowBundle(),
      dataConverter: codecSetup().dataConverter,
      activities: fake.activities(),
      interceptors: { activity: activityInterceptors(fakeScenario.cluster) },
      // As the deploy worker's (worker/run.ts): a pause or rollback reaches a step within a second.
      maxHeartbeatThrottleInterval: '1s',
    });
  const workers = [await workerFor(cluster, scenario)];
  const running = [workers[0]!.run()];
  const client = await temporalClient(info);
  const harness: WorkflowHarness = {
    client,
    environment,
    cluster,
    spec(overrides = {}) {
      const { strategy, ...rest } = overrides;
      return { ...example, ...rest, strategy: { ...example.strategy, ...strategy } };
    },
    start(image, spec = harness.spec(), extra = {}) {
      return startDeploy(client, { spec, environment, image, requestedBy: 'workflow-test', ...extra });
    },
    async addWorker(other) {
      const fake = new FakeCluster(environment, other);
      const worker = await workerFor(fake, other, `fake-cluster-${workers.length + 1}`);
      workers.push(worker);
      running.push(worker.run());
      return fake;
    },
    queue(image, policy, spec = harness.spec(), options = {}) {
      return enqueueDeploy(client, prepareDeploy({ spec, environment, image, requestedBy: 'workflow-test' }), policy, { idleSeconds: 5, ...options });
    },
    async close() {
      for (const w of workers) w.shutdown();
      await Promise.all(running);
      await connection.close();
      await client.connection.close();
    },
  };
  return harness;
}

