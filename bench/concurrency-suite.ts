// 1, 10, 50, 100 simultaneous deploys of different apps. deployflow gets a
// fresh worker process per measurement (so its memory is that run's alone);
// the baseline's orchestrator is kube-controller-manager, which never restarts.
import path from 'node:path';
import { measureConcurrency, type ConcurrencyContext, type ConcurrencySample } from './measure-concurrency.js';
import type { System } from './system.js';
import { startWorkerProcess } from './worker.js';
import type { ProductionTemporal } from './production-temporal.js';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

export async function runConcurrencySuite(
  ctx: ConcurrencyContext,
  systems: { deployflow: System; deployment: System },
  environment: string,
  save: (sample: ConcurrencySample) => void,
  production?: ProductionTemporal & { system: System },
): Promise<void> {
  const { cfg, stack } = ctx;
  const shared = {
    apiserver: stack.pids.apiserver,
    etcd: stack.pids.etcd,
    temporal: stack.pids.temporal,
    'kube-controller-manager': stack.pids.controllerManager,
    'kube-scheduler': stack.pids.scheduler,
    kwok: stack.pids.kwok,
  };
  for (const deploys of cfg.concurrency) {
    for (let repeat = 0; repeat < cfg.concurrencyRepeats; repeat++) {
      log(`concurrency deployment: ${deploys} deploys, repeat ${repeat + 1}/${cfg.concurrencyRepeats}`);
      const base = await measureConcurrency(ctx, systems.deployment, deploys, repeat, shared, stack.pids.controllerManager);
      log(`  total ${(base.totalMs / 1000).toFixed(2)}s`);
      save(base);

      log(`concurrency deployflow: ${deploys} deploys, repeat ${repeat + 1}/${cfg.concurrencyRepeats}`);
      const worker = await startWorkerProcess({
        environment,
        namespaces: [systems.deployflow.namespace],
        kubeconfig: stack.workerKubeconfig,
        temporalAddress: stack.info.temporalAddress,
        logFile: path.join(cfg.outDir, `worker-concurrency-${deploys}-${repeat}.log`),
      });
      try {
        const sample = await measureConcurrency(ctx, systems.deployflow, deploys, repeat, { worker: worker.pid, ...shared }, worker.pid);
        log(`  total ${(sample.totalMs / 1000).toFixed(2)}s, worker peak RSS ${sample.cpu.worker?.peakRssMb.toFixed(0)} MB`);
        save(sample);
      } finally {
        await worker.stop();
      }

      if (!production) continue;
      log(`concurrency deployflow on the production topology's Temporal: ${deploys} deploys, repeat ${repeat + 1}/${cfg.concurrencyRepeats}`);
      const prodWorker = await startWorkerProcess({
        environment,
        namespaces: [systems.deployflow.namespace],
        kubeconfig: stack.workerKubeconfig,
        temporalAddress: production.address,
        temporal: { namespace: production.namespace, apiKey: production.workerToken },
        logFile: path.join(cfg.outDir, `worker-concurrency-production-${deploys}-${repeat}.log`),
      });
      try {
        const pids = { ...shared, ...production.pids, worker: prodWorker.pid };
        const sample = await measureConcurrency({ ...ctx, client: production.client }, production.system, deploys, repeat, pids, prodWorker.pid);
        log(`  total ${(sample.totalMs / 1000).toFixed(2)}s`);
        save(sample);
      } finally {
        await prodWorker.stop();
      }
    }
  }
}
