// Release-logic tests on the stack's real Temporal dev server: a Nexus endpoint
// per environment (deploy-<env>), each environment's worker with the real deploy
// and soak workflows, the real Nexus handler and a fake cluster, and a release
// worker on a queue of its own. Only the clusters are fake.
import fs from 'node:fs';
import { Worker, NativeConnection } from '@temporalio/worker';
import type { Client, Connection } from '@temporalio/client';
import { taskQueueFor } from '../../domain/names.js';
import { nexusEndpointFor, RELEASE_SEARCH_ATTRIBUTES, type ReleasePlanFields } from '../../domain/release-plan.js';
import type { AppSpec } from '../../domain/spec.js';
import { parseSpecText } from '../../client/spec-file.js';
import { startDeploy, waitForResult } from '../../client/api.js';
import { prepareRelease, startRelease, type ReleaseHandle } from '../../client/release-api.js';
import { ensureNexusEndpoints } from '../../client/nexus-endpoints.js';
import { codecSetup } from '../../codec/data-converter.js';
import { deployServiceHandler } from '../../worker/deploy-service.js';
import { createReleaseActivities } from '../../activities/release.js';
import { useStack } from './stack.js';
import { temporalClient, workflowBundle } from './temporal.js';
import { FakeCluster, type Scenario } from './fake-cluster.js';

const example = parseSpecText(fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8'));
let counter = 0;

export interface ReleaseHarness {
  client: Client;
  /** The environments' names, in promotion order (unique to this harness). */
  environments: string[];
  clusters: Record<string, FakeCluster>;
  spec: AppSpec;
  /** The release worker's task queue (its own). */
  releaseQueue: string;
  /** A plain deploy to one environment (what ran before the release). */
  deploy(environment: string, image: string): Promise<void>;
  release(image: string, fields: Omit<ReleasePlanFields, 'through'> & { through?: string }): Promise<ReleaseHandle>;
  close(): Promise<void>;
}

/** `names` are the environments' roles (staging, production); each gets a unique name. */
export async function releaseHarness(names: string[], scenarios: Record<string, Scenario> = {}, options: { webhooks?: string[] } = {}): Promise<ReleaseHarness> {
  const info = await useStack();
  const client = await temporalClient(info);
  // Read once: harnesses start side by side, and the counter moves while this one awaits.
  const serial = counter++;
  const prefix = `rel-${process.pid}-${Date.now().toString(36)}-${serial}`;
  const environments = names.map((n) => `${prefix}-${n}`);
  await ensureReleaseSearchAttributes(client.connection);
  await ensureNexusEndpoints(client.connection as Connection, environments.map((environment) => ({ environment, namespace: 'default' })));

  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  const { dataConverter } = codecSetup();
  const clusters: Record<string, FakeCluster> = {};
  const workers: Worker[] = [];
  for (const [i, environment] of environments.entries()) {
    const cluster = new FakeCluster(environment, scenarios[names[i]!] ?? {});
    clusters[names[i]!] = cluster;
    workers.push(
      await Worker.create({
        connection,
        namespace: 'default',
        taskQueue: taskQueueFor(environment),
        workflowBundle: await workflowBundle(),
        dataConverter,
        activities: cluster.activities(),
        nexusServices: [deployServiceHandler(environment)],
        // As the real worker: a cancelled soak watch hears of it within a second.
        maxHeartbeatThrottleInterval: '1s',
      }),
    );
  }
  const releaseQueue = `release-${prefix}`;
  workers.push(
    await Worker.create({ connection, namespace: 'default', taskQueue: releaseQueue, workflowBundle: await workflowBundle(), dataConverter, activities: createReleaseActivities({ webhooks: options.webhooks }) }),
  );
  const running = workers.map((w) => w.run());
  const spec: AppSpec = { ...example, name: `api-${serial}`, strategy: { ...example.strategy, minReadySeconds: 0 } };

  return {
    client,
    environments,
    clusters,
    spec,
    releaseQueue,
    async deploy(environment, image) {
      const outcome = await waitForResult(await startDeploy(client, { spec, environment, image, requestedBy: 'before-the-release' }));
      if (outcome.outcome !== 'Succeeded') throw new Error(`the deploy before the release ended ${outcome.outcome}: ${outcome.message}`);
    },
    release(image, fields) {
      const prepared = prepareRelease({ spec, image, through: fields.through ?? environments.join(','), ...fields, requestedBy: 'release-test' });
      return startRelease(client, prepared, { taskQueue: releaseQueue });
    },
    async close() {
      for (const w of workers) w.shutdown();
      await Promise.all(running);
      await connection.close();
      for (const environment of environments) {
        const { endpoints } = await client.connection.operatorService.listNexusEndpoints({ name: nexusEndpointFor(environment) });
        for (const e of endpoints ?? []) await client.connection.operatorService.deleteNexusEndpoint({ id: e.id, version: e.version }).catch(() => undefined);
      }
      await client.connection.close();
    },
  };
}

/** A dev stack started before the release attributes existed gets them here (as `deployctl setup --release` would). */
async function ensureReleaseSearchAttributes(connection: Client['connection']): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
  const missing = Object.values(RELEASE_SEARCH_ATTRIBUTES).filter((name) => !(name in (customAttributes ?? {})));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: Object.fromEntries(missing.map((n) => [n, 2 /* Keyword */])) });
  }
}
