// Temporal for tests: a client on the stack's dev server, and in-process
// workers sharing one workflow bundle (bundling takes seconds; do it once).
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { KubeConfig } from '@kubernetes/client-node';
import type { StackInfo } from '../../stack/lifecycle.js';
import { createWorker, workflowInterceptorModules, workflowsPath } from '../../worker/run.js';
import { codecSetup, failureConverterPath } from '../../codec/data-converter.js';
import type { WorkerPolicy } from '../../domain/worker-policy.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

// Workers log every state change at INFO; tests only want warnings.
Runtime.install({ logger: new DefaultLogger('WARN') });

export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  // With the encrypting failure converter: tests run with the stack's codec keys.
  bundle ??= bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, failureConverterPath, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } });
  return bundle;
}

/** A client as deployctl builds it: the data converter of the codec keys in `env` (the stack's, by default). */
export async function temporalClient(info: StackInfo, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Client> {
  const connection = await Connection.connect({ address: info.temporalAddress });
  return new Client({ connection, namespace: 'default', dataConverter: codecSetup(env).dataConverter });
}

/** A client with no codec at all: what someone reading Temporal's database or history sees. */
export async function rawTemporalClient(info: StackInfo): Promise<Client> {
  const connection = await Connection.connect({ address: info.temporalAddress });
  return new Client({ connection, namespace: 'default' });
}

export interface RunningWorker {
  worker: Worker;
  /** Stops polling and waits for the worker to finish. */
  stop(): Promise<void>;
}

export async function startWorker(
  info: StackInfo,
  kubeConfig: KubeConfig,
  environment: string,
  namespaces: string[],
  options: { webhooks?: string[]; policy?: WorkerPolicy } = {},
): Promise<RunningWorker> {
  const worker = await createWorker({
    environment,
    kubeConfig,
    namespaces,
    webhooks: options.webhooks,
    policy: options.policy,
    temporal: { connectionOptions: { address: info.temporalAddress }, namespace: 'default' },
    workflowBundle: await workflowBundle(),
    shutdownGraceSeconds: 2,
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
