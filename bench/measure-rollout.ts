// One measured rollout of one system: v1 deployed (not timed), then v1 → v2
// timed from the trigger to done, with the apiserver requests it caused, the
// CPU each process spent, and how fast the orchestrator reacted to Ready pods.
import type { Client } from '@temporalio/client';
import { countSteps, resolveLimits } from '../domain/rollout.js';
import { AuditReader, countBy } from './audit.js';
import type { BenchConfig, Surge } from './config.js';
import { profileHistory, type HistoryProfile } from './history.js';
import { sleep, withTimeout, type BenchKube } from './kube.js';
import { loadWithout, scrapeRequests } from './metrics.js';
import { PodObserver } from './pod-observer.js';
import { ProcSampler, type ProcUsage } from './proc.js';
import { reactionLatency, type Reaction } from './reaction.js';
import { IMAGE_V1, IMAGE_V2, versionOf, type Target } from './specs.js';
import type { BenchStack } from './stack.js';
import type { System, SystemName } from './system.js';

export interface RolloutSample {
  system: SystemName;
  replicas: number;
  surge: Surge;
  repeat: number;
  /** Trigger → every live pod new and `replicas` of them Ready (seen on the pods). */
  wallMs: number;
  /** Trigger → the system said done (workflow result / Deployment status). */
  reportedMs: number;
  /** Steps of the plan, in whole batches (what the floors count). */
  steps: number;
  /** Sum of the minimum readiness waits the steps cannot avoid. */
  floorMs: number;
  /** apiserver_request_total delta on rollout resources, minus the bench's own requests, by verb. */
  apiByVerb: Record<string, number>;
  /** The orchestrator's own requests (deployflow worker / Deployment controller), by verb. */
  orchestratorByVerb: Record<string, number>;
  /** Every request in the namespace by who made it. */
  byActor: Record<string, number>;
  reaction: Reaction;
  cpu: Record<string, ProcUsage>;
  maxLive: number;
  minReady: number;
  history?: HistoryProfile;
  /** deployflow: the steps its result says it took (absent in results from before). */
  stepsTaken?: number;
}

export interface RolloutContext {
  cfg: BenchConfig;
  stack: BenchStack;
  kube: BenchKube;
  client: Client;
  /** Processes whose CPU is counted: the worker, controller-manager, apiserver, Temporal, ... */
  pids: Record<string, number>;
}

export async function measureRollout(ctx: RolloutContext, system: System, replicas: number, surge: Surge, repeat: number): Promise<RolloutSample> {
  const { cfg, stack, kube } = ctx;
  const surgeTag = String(surge).replace('%', 'p');
  const t: Target = { namespace: system.namespace, app: `r${replicas}-s${surgeTag}-${repeat}`, replicas, surge, minReadySeconds: cfg.minReadySeconds };

  await system.setup(t, IMAGE_V1);
  await sleep(Math.max(2000, system.coldAfterMs)); // v1's status updates settle; the rollout starts cold

  const audit = new AuditReader(stack.auditLog).mark();
  const before = await scrapeRequests(stack.apiserver, stack.benchToken);
  const observer = new PodObserver(kube, t.namespace, t.app, versionOf(t, IMAGE_V2), replicas);
  await observer.start();
  const procs = new ProcSampler(ctx.pids).start();

  const t0 = Date.now();
  const run = await system.rollout(t, IMAGE_V2);
  const doneAt = await withTimeout(`pods of ${t.app} to be all new and ready`, 60_000, observer.done);
  const cpu = procs.stop();
  await sleep(2000); // trailing status updates and closed watches land in the counts
  const observation = observer.stop();
  const after = await scrapeRequests(stack.apiserver, stack.benchToken);
  const requests = audit.requestsSince(t.namespace);

  const apiByVerb = loadWithout(before, after, requests.filter((r) => r.actor === 'bench'));
  const orchestrator = system.name === 'deployflow' ? 'deployflow-worker' : 'deployment-controller';
  const limits = resolveLimits({ maxSurge: surge, maxUnavailable: 0 }, replicas);
  const steps = countSteps(replicas, replicas, limits);
  const history = run.workflow ? await profileHistory(ctx.client, run.workflow.workflowId, run.workflow.runId) : undefined;

  await system.cleanup(t);
  return {
    system: system.name,
    replicas,
    surge,
    repeat,
    wallMs: doneAt - t0,
    reportedMs: run.reportedDoneAt - t0,
    steps,
    floorMs: steps * (cfg.readyDelayMs + cfg.minReadySeconds * 1000),
    apiByVerb,
    orchestratorByVerb: countBy(
      requests.filter((r) => r.actor === orchestrator),
      (r) => r.verb,
    ),
    byActor: countBy(requests, (r) => r.actor),
    reaction: reactionLatency(system.name, requests, observation.ready, t0),
    cpu,
    maxLive: observation.maxLive,
    minReady: observation.minReady,
    history,
    ...(run.steps !== undefined && { stepsTaken: run.steps }),
  };
}

/**
 * The steps deployflow's rollout took (its result's count; in results from
 * before, its step activities in history): more than the plan's when a step
 * replaces old pods as new ones turn ready. The plan's for the Deployment.
 */
export function stepsTaken(r: RolloutSample): number {
  return r.stepsTaken ?? r.history?.activities.rollStep ?? r.steps;
}
