// N simultaneous rollouts of N different apps through one system: total time,
// per-deploy time, CPU and memory of the processes doing the work, apiserver
// requests, and (deployflow) Temporal history events per deploy.
import type { Client } from '@temporalio/client';
import { AuditReader, countBy } from './audit.js';
import type { BenchConfig } from './config.js';
import { profileHistory } from './history.js';
import { sleep, type BenchKube } from './kube.js';
import { loadWithout, scrapeRequests } from './metrics.js';
import { busyPercent, machineTicks, ProcSampler, rssMb, type ProcUsage } from './proc.js';
import { IMAGE_V1, IMAGE_V2, type Target } from './specs.js';
import type { BenchStack } from './stack.js';
import { spread, type Spread } from './stats.js';
import type { System, SystemName } from './system.js';

export interface ConcurrencySample {
  system: SystemName;
  deploys: number;
  repeat: number;
  /** All N rollouts triggered at once → the last one reported done. */
  totalMs: number;
  perDeployMs: Spread;
  /** The N first deploys (full size at once), before the measured rollouts. */
  setupMs: number;
  cpu: Record<string, ProcUsage>;
  /** Resident memory of the orchestrating process just before the rollouts. */
  idleRssMb: number;
  apiByVerb: Record<string, number>;
  orchestratorByVerb: Record<string, number>;
  /** Share of the machine's CPUs busy during the rollouts (everything, other users included). */
  machineBusyPct: number;
  historyEvents?: Spread;
  /** deployflow: per deploy, mean ms from scheduling an activity to a worker starting it (median over deploys). */
  scheduleToStartMs?: number;
  /** deployflow: per deploy, ms between activities (workflow task round trips), median over deploys. */
  betweenMs?: number;
}

export interface ConcurrencyContext {
  cfg: BenchConfig;
  stack: BenchStack;
  kube: BenchKube;
  client: Client;
}

export async function measureConcurrency(
  ctx: ConcurrencyContext,
  system: System,
  deploys: number,
  repeat: number,
  pids: Record<string, number>,
  orchestratorPid: number,
): Promise<ConcurrencySample> {
  const { cfg, stack } = ctx;
  const targets: Target[] = Array.from({ length: deploys }, (_, i) => ({
    namespace: system.namespace,
    app: `c${deploys}-${repeat}-${i}`,
    replicas: cfg.concurrencyReplicas,
    surge: 1,
    minReadySeconds: cfg.minReadySeconds,
  }));

  const setupStart = Date.now();
  await Promise.all(targets.map((t) => system.setup(t, IMAGE_V1)));
  const setupMs = Date.now() - setupStart;
  await sleep(Math.max(3000, system.coldAfterMs));

  const audit = new AuditReader(stack.auditLog).mark();
  const before = await scrapeRequests(stack.apiserver, stack.benchToken);
  const idleRssMb = rssMb(orchestratorPid);
  const procs = new ProcSampler(pids).start();
  const ticks = machineTicks();
  const t0 = Date.now();
  const runs = await Promise.all(targets.map((t) => system.rollout(t, IMAGE_V2)));
  const totalMs = Date.now() - t0;
  const machineBusyPct = busyPercent(ticks, machineTicks());
  const cpu = procs.stop();
  await sleep(2000);
  const after = await scrapeRequests(stack.apiserver, stack.benchToken);
  const requests = audit.requestsSince(system.namespace);
  const orchestrator = system.name === 'deployment' ? 'deployment-controller' : 'deployflow-worker';

  const profiles = [];
  for (const run of runs) if (run.workflow) profiles.push(await profileHistory(ctx.client, run.workflow.workflowId, run.workflow.runId));
  for (let i = 0; i < targets.length; i += 20) await Promise.all(targets.slice(i, i + 20).map((t) => system.cleanup(t)));

  const apiByVerb = loadWithout(before, after, requests.filter((r) => r.actor === 'bench'));
  return {
    system: system.name,
    deploys,
    repeat,
    totalMs,
    perDeployMs: spread(runs.map((r) => r.reportedDoneAt - t0)),
    setupMs,
    cpu,
    idleRssMb,
    apiByVerb,
    orchestratorByVerb: countBy(
      requests.filter((r) => r.actor === orchestrator),
      (r) => r.verb,
    ),
    machineBusyPct,
    ...(profiles.length && {
      historyEvents: spread(profiles.map((p) => p.events)),
      scheduleToStartMs: spread(profiles.map((p) => p.meanScheduleToStartMs)).median,
      betweenMs: spread(profiles.map((p) => p.betweenMs)).median,
    }),
  };
}
