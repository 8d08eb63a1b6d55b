// npm run bench [-- --quick | --suites rollout,concurrency | --replicas 10,100 | --surges 1,25% | --repeats N]
// npm run bench -- --compare before,after,full     (the same figures of several runs side by side)
// npm run bench -- --merge full,scale500 --label published   (one report from runs made side by side)
// npm run bench -- --report-only --label full [--publish]
//   re-renders the report from saved results; --publish also writes the committed
//   bench/RESULTS.md and bench/wall-time.svg that BENCHMARKS.md shows.
//
// Brings up a stack of its own (bench/results/<label>/stack), compares
// deployflow with the Deployment controller on it, writes
// bench/results/<label>/{results.json,report.md,wall-time.svg}, and stops the stack.
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { compareRuns } from './compare.js';
import { mergeResults } from './merge.js';
import { readConfig } from './config.js';
import { runConcurrencySuite } from './concurrency-suite.js';
import { deployflowSystem } from './deployflow-system.js';
import { deploymentSystem } from './deployment-system.js';
import { benchKube, ensureNamespace } from './kube.js';
import { publishReport, writeReport } from './report.js';
import { loadResults, newResults, saveResults } from './results.js';
import { runRolloutSuite } from './rollout-suite.js';
import { startBenchStack, stopBenchStack } from './stack.js';
import { productionTemporal } from './production-temporal.js';
import { startWorkerProcess, type WorkerProcess } from './worker.js';
import { codecSetup } from '../codec/data-converter.js';

const ENVIRONMENT = 'bench';
const NS_DEPLOYFLOW = 'bench-deployflow';
const NS_DEPLOYMENT = 'bench-deployment';
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function main(argv: string[]): Promise<number> {
  const compare = argv.indexOf('--compare');
  if (compare >= 0) {
    const labels = (argv[compare + 1] ?? '').split(',').filter(Boolean);
    const runs = labels.map((label) => ({ label, results: loadResults(readConfig(['--label', label]).outDir) }));
    process.stdout.write(compareRuns(runs));
    return 0;
  }
  const merge = argv.indexOf('--merge');
  if (merge >= 0) {
    const labels = (argv[merge + 1] ?? '').split(',').filter(Boolean);
    const runs = labels.map((label) => ({ label, results: loadResults(readConfig(['--label', label]).outDir) }));
    const cfg = readConfig(argv.filter((_, i) => i !== merge && i !== merge + 1));
    saveResults(cfg.outDir, mergeResults(runs));
    writeReport(cfg.outDir, loadResults(cfg.outDir));
    log(`merged ${labels.join(', ')} into ${cfg.outDir}`);
    return 0;
  }
  const reportOnly = argv.includes('--report-only');
  const publish = argv.includes('--publish');
  const cfg = readConfig(argv.filter((a) => a !== '--report-only' && a !== '--publish'));
  if (reportOnly) {
    const saved = loadResults(cfg.outDir);
    writeReport(cfg.outDir, saved);
    if (publish) publishReport(saved);
    return 0;
  }
  const results = newResults(cfg, argv);
  const save = () => saveResults(cfg.outDir, results);
  log(`results in ${cfg.outDir}`);

  const stack = await startBenchStack(cfg);
  let worker: WorkerProcess | undefined;
  let connection: Connection | undefined;
  const stopAll = async () => {
    await worker?.stop().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    if (!cfg.keepStack) await stopBenchStack(cfg);
  };
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const kube = benchKube(stack.benchKubeconfig);
    await ensureNamespace(kube, NS_DEPLOYFLOW, ENVIRONMENT);
    await ensureNamespace(kube, NS_DEPLOYMENT, ENVIRONMENT);
    // The bench's client and its worker process (which inherits this environment) encrypt or not, together.
    if (cfg.codec) process.env.DEPLOYFLOW_CODEC_KEYS = stack.info.state.codecKeys;
    else delete process.env.DEPLOYFLOW_CODEC_KEYS;
    log(cfg.codec ? 'payloads encrypted with the stack\'s codec key' : 'payloads in clear text (--no-codec)');
    connection = await Connection.connect({ address: stack.info.temporalAddress });
    const client = new Client({ connection, namespace: 'default', dataConverter: codecSetup().dataConverter });
    const timeoutMs = 30 * 60_000;
    const systems = {
      deployflow: deployflowSystem(kube, client, ENVIRONMENT, NS_DEPLOYFLOW, timeoutMs),
      deployment: deploymentSystem(kube, NS_DEPLOYMENT, timeoutMs),
    };

    if (cfg.suites.has('rollout')) {
      worker = await startWorkerProcess({
        environment: ENVIRONMENT,
        namespaces: [NS_DEPLOYFLOW],
        kubeconfig: stack.workerKubeconfig,
        temporalAddress: stack.info.temporalAddress,
        logFile: path.join(cfg.outDir, 'worker-rollout.log'),
      });
      const pids = {
        worker: worker.pid,
        temporal: stack.pids.temporal,
        'kube-controller-manager': stack.pids.controllerManager,
        apiserver: stack.pids.apiserver,
        etcd: stack.pids.etcd,
      };
      await runRolloutSuite({ cfg, stack, kube, client, pids }, [systems.deployment, systems.deployflow], (s) => {
        results.rollouts.push(s);
        save();
      });
      await worker.stop();
      worker = undefined;
    }
    if (cfg.suites.has('concurrency')) {
      const production = cfg.productionTemporal ? await productionTemporal() : undefined;
      try {
        const prodSystem = production && deployflowSystem(kube, production.client, ENVIRONMENT, NS_DEPLOYFLOW, timeoutMs, 'deployflow-production');
        await runConcurrencySuite({ cfg, stack, kube, client }, systems, ENVIRONMENT, (s) => {
          results.concurrency.push(s);
          save();
        }, production && prodSystem && { ...production, system: prodSystem });
      } finally {
        await production?.connection.close();
      }
    }
  } finally {
    save();
    await stopAll();
  }
  writeReport(cfg.outDir, results);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
