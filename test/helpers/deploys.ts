// One place that wires a test to the stack: a namespace of its own, a worker
// for a unique environment, a client, and the example spec retargeted.
import type { Client } from '@temporalio/client';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AppSpec } from '../../domain/spec.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import { parseSpecText } from '../../client/spec-file.js';
import { startDeploy, waitForResult, type DeployRequest } from '../../client/api.js';
import type { DeployResult } from '../../workflows/messages.js';
import { useStack, stackKubeConfig } from './stack.js';
import { freshNamespace } from './cluster.js';
import { startWorker, temporalClient, type RunningWorker } from './temporal.js';
import fs from 'node:fs';

export type SpecOverrides = Omit<Partial<AppSpec>, 'strategy'> & { strategy?: Partial<AppSpec['strategy']> };

export interface DeployHarness {
  info: StackInfo;
  kc: KubeConfig;
  client: Client;
  namespace: string;
  environment: string;
  worker: RunningWorker;
  spec(overrides?: SpecOverrides): AppSpec;
  deploy(image: string, spec?: AppSpec, extra?: Partial<DeployRequest>): Promise<DeployResult>;
  close(): Promise<void>;
}

const example = fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8');

export async function deployHarness(name = 'h'): Promise<DeployHarness> {
  const info = await useStack();
  const kc = stackKubeConfig(info);
  const namespace = await freshNamespace(kc, name);
  const environment = `env-${namespace}`.slice(0, 63);
  const client = await temporalClient(info);
  const worker = await startWorker(info, kc, environment, [namespace]);
  const base = parseSpecText(example);
  const harness: DeployHarness = {
    info,
    kc,
    client,
    namespace,
    environment,
    worker,
    spec(overrides = {}) {
      const { strategy, ...rest } = overrides;
      return {
        ...base,
        namespace,
        ...rest,
        strategy: { ...base.strategy, minReadySeconds: 0, progressDeadlineSeconds: 15, ...strategy },
      };
    },
    async deploy(image, spec = harness.spec(), extra = {}) {
      const handle = await startDeploy(client, { spec, environment, image, requestedBy: 'test', ...extra });
      return waitForResult(handle);
    },
    async close() {
      await worker.stop();
      await client.connection.close();
    },
  };
  return harness;
}
