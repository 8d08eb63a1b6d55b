// An in-memory stand-in for the cluster activities, for workflow-logic tests:
// RCs are records, pods become available at once unless the scenario says a
// wait stalls. It records every write so tests can assert on them.
import { ApplicationFailure } from '@temporalio/common';
import type { DeployInput } from '../../workflows/messages.js';
import { rollStep } from '../../activities/roll-step.js';
import type { DeployActivities, PodCounts, PodWaitInput, RcInfo } from '../../activities/index.js';
import type { PlanCheckInput } from '../../activities/rc-sizes.js';
import { renderReplicationController } from '../../domain/render.js';
import { checkDeploy } from '../../domain/check-deploy.js';
import { InvalidSpecError } from '../../domain/errors.js';
import { DEFAULT_WORKER_POLICY } from '../../domain/worker-policy.js';
import { ANNOTATIONS } from '../../domain/names.js';
import { keptSpecJson } from '../../domain/kept-spec.js';
import type { ReplicationControllerManifest } from '../../domain/render.js';
import { soakVerdict } from '../../domain/release-state.js';
import { servingOf } from '../../activities/serving.js';

export interface Scenario {
  /** Return true to make this wait stall (RolloutStalled); called with how many waits ran before. */
  stall?: (input: PodWaitInput, waitIndex: number) => boolean;
  /** The reason a stalled wait reports. */
  stallReason?: string;
  /** Milliseconds each wait takes (lets tests send updates mid-rollout). */
  waitMs?: number;
  /** Milliseconds the "succeeded" notification takes (holds a deploy in its Finishing phase). */
  finishingMs?: number;
  /** The environment the cluster's secret names. */
  secretEnvironment?: string;
  /** Schedulable nodes, for per-node agents. */
  nodes?: number;
  /** The cluster's identity (kube-system's UID) its admission reports; absent: deploys are not pinned. */
  cluster?: string;
  /** The worker has no chat webhooks, and its admission says so. */
  noWebhooks?: boolean;
}

interface FakeRc {
  manifest: ReplicationControllerManifest;
  replicas: number;
  /** Pods become available when a wait watches them (as they would while a real wait runs). */
  available: number;
}

export class FakeCluster {
  readonly rcs = new Map<string, FakeRc>();
  readonly writes: string[] = [];
  readonly notifications: string[] = [];
  waits = 0;
  /** RC lists, and step activities' plan checks. */
  lists = 0;
  planChecks = 0;
  /** Pods that are not available (a soak sees the RC short of them). */
  unavailable = 0;
  /** Largest pods (all RCs) and smallest available seen after each write. */
  maxPods = 0;

  constructor(
    private readonly environment: string,
    private readonly scenario: Scenario = {},
  ) {}

  info(rc: FakeRc): RcInfo {
    const a = rc.manifest.metadata.annotations;
    return {
      name: rc.manifest.metadata.name,
      hash: a[ANNOTATIONS.templateHash] ?? '',
      revision: Number(a[ANNOTATIONS.revision]),
      image: a[ANNOTATIONS.image] ?? '',
      replicas: rc.replicas,
      desiredReplicas: Number(a[ANNOTATIONS.desiredReplicas]),
      readyReplicas: Math.max(0, Math.min(rc.available, rc.replicas - this.unavailable)),
      availableReplicas: Math.max(0, Math.min(rc.available, rc.replicas - this.unavailable)),
      workflowId: a[ANNOTATIONS.workflowId] ?? '',
      ...(a[ANNOTATIONS.deployId] !== undefined && { deployId: a[ANNOTATIONS.deployId] }),
      appSpec: keptSpecJson(a[ANNOTATIONS.appSpec], rc.manifest.spec.template.spec.containers),
    };
  }

  replicasOf(): Record<string, number> {
    return Object.fromEntries([...this.rcs].map(([name, rc]) => [name, rc.replicas]));
  }

  activities(): DeployActivities {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const fakes = {
      // The real checked value, under the default policy: only the cluster is fake.
      admitDeploy: async (raw) => {
        const input = raw as DeployInput;
        const kept = [...this.rcs.values()].find((rc) => input.toRevision !== undefined && this.info(rc).revision === input.toRevision);
        const request = {
          ...(kept ? { spec: JSON.parse(this.info(kept).appSpec ?? '{}') as unknown, image: this.info(kept).image } : { spec: input.spec, image: input.image }),
          environment: this.environment,
          requestedBy: input.requestedBy,
          source: input.source,
          labelPolicy: input.labelPolicy,
          workerPolicy: DEFAULT_WORKER_POLICY,
        };
        try {
          const checked = checkDeploy(request);
          const sized = checked.spec.perNode ? checkDeploy({ ...request, nodeCount: this.scenario.nodes ?? 3 }) : checked;
          return { ...sized, ...(this.scenario.cluster && { cluster: this.scenario.cluster }), ...(this.scenario.noWebhooks && { notifies: false }) };
        } catch (err) {
          if (!(err instanceof InvalidSpecError)) throw err;
          throw ApplicationFailure.create({ type: 'InvalidSpec', message: err.message, nonRetryable: true });
        }
      },
      ensureEnvironmentSecret: async ({ environment }) => {
        const found = this.scenario.secretEnvironment ?? this.environment;
        if (environment !== this.environment || found !== environment) {
          throw ApplicationFailure.create({ type: 'EnvironmentMismatch', message: `secret says ${found}`, nonRetryable: true });
        }
        return { created: false };
      },
      renderReplicationController: async (input) => renderReplicationController(input),
      countSchedulableNodes: async () => this.scenario.nodes ?? 3,
      notify: async (n) => {
        if (n.event === 'succeeded' && this.scenario.finishingMs) await sleep(this.scenario.finishingMs);
        this.notifications.push(n.event);
        return 0;
      },
      listReplicationControllers: async ({ name }) => {
        this.lists++;
        return [...this.rcs.values()].filter((rc) => rc.manifest.metadata.labels.name === name).map((rc) => this.info(rc)).sort((a, b) => a.revision - b.revision);
      },
      createReplicationController: async ({ manifest }) => {
        const existing = this.rcs.get(manifest.metadata.name);
        if (existing) return this.info(existing);
        this.writes.push(`create ${manifest.metadata.name} ${manifest.spec.replicas}`);
        const rc = { manifest, replicas: manifest.spec.replicas, available: 0 };
        this.rcs.set(manifest.metadata.name, rc);
        this.observe();
        return this.info(rc);
      },
      scaleReplicationController: async ({ name, replicas, from }) => {
        const rc = this.rcs.get(name);
        if (!rc) throw ApplicationFailure.create({ type: 'NotFound', message: `RC ${name} not found`, nonRetryable: true });
        if (from !== undefined && rc.replicas !== from && rc.replicas !== replicas) {
          throw ApplicationFailure.create({ type: 'StalePlan', message: `RC ${name} runs ${rc.replicas}, not ${from}`, nonRetryable: true });
        }
        this.writes.push(`scale ${name} ${replicas}`);
        rc.replicas = replicas;
        rc.available = Math.min(rc.available, replicas);
        this.observe();
      },
      deleteReplicationController: async ({ name }) => {
        this.writes.push(`delete ${name}`);
        this.rcs.delete(name);
      },
      readServing: async ({ app }) => servingOf(this.appRcs(app)) ?? null,
      watchServing: async ({ app, expect }) => {
        const { Context } = await import('@temporalio/activity');
        const ctx = Context.current();
        const aborted = new Promise((r) => ctx.cancellationSignal.addEventListener('abort', r, { once: true }));
        while (!ctx.cancellationSignal.aborted) {
          const verdict = soakVerdict(expect, this.appRcs(app));
          if (!verdict.ok) {
            const type = verdict.kind === 'pinned' ? 'Pinned' : 'SoakFailed';
            throw ApplicationFailure.create({ type, message: verdict.message, nonRetryable: true, details: [{ reason: type }] });
          }
          ctx.heartbeat();
          await Promise.race([sleep(200), aborted]);
        }
      },
      waitForPods: async (input): Promise<PodCounts> => {
        const index = this.waits++;
        if (this.scenario.waitMs) await sleep(this.scenario.waitMs);
        if (this.scenario.stall?.(input, index)) {
          const reason = this.scenario.stallReason ?? 'ImagePullBackOff';
          throw ApplicationFailure.create({
            type: 'RolloutStalled',
            nonRetryable: true,
            message: `${input.target}: no progress: ${reason}`,
            details: [{ reason, reasons: [reason] }],
          });
        }
        const waited = (input.rcs ?? []).flatMap((name) => this.rcs.get(name) ?? []);
        for (const rc of waited) rc.available = rc.replicas;
        const total = waited.reduce((n, rc) => n + rc.replicas, 0);
        return { total, ready: total, available: total, terminating: 0, problems: [] };
      },
    } satisfies Omit<DeployActivities, 'rollStep'>;
    // The real step activity, around the fake scale and wait: only the cluster is fake.
    const checkPlan = async ({ expect }: PlanCheckInput) => {
      this.planChecks++;
      const moved = expect.find((e) => this.rcs.get(e.name)?.replicas !== e.replicas);
      if (moved) throw ApplicationFailure.create({ type: 'StalePlan', message: `RC ${moved.name} does not run ${moved.replicas}`, nonRetryable: true });
    };
    return {
      ...fakes,
      async rollStep(input) {
        const { Context } = await import('@temporalio/activity');
        const ctx = Context.current();
        const signal = ctx.cancellationSignal;
        // As the real wait: it heartbeats (a cancellation arrives in a heartbeat's answer) and ends when cancelled.
        const cancelled = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(ApplicationFailure.create({ type: 'Cancelled', message: 'wait cancelled' })), { once: true }));
        cancelled.catch(() => undefined);
        const wait = async (w: PodWaitInput, live: object) => {
          ctx.heartbeat({ total: 0, ready: 0, available: 0, terminating: 0, problems: [], ...live });
          return Promise.race([fakes.waitForPods(w), cancelled]);
        };
        return rollStep(input, { scale: fakes.scaleReplicationController, wait, checkPlan, cancelled: () => signal.aborted });
      },
    };
  }

  appRcs(app: string): RcInfo[] {
    return [...this.rcs.values()].filter((rc) => rc.manifest.metadata.labels.name === app).map((rc) => this.info(rc));
  }

  private observe(): void {
    const pods = [...this.rcs.values()].reduce((n, rc) => n + rc.replicas, 0);
    this.maxPods = Math.max(this.maxPods, pods);
  }
}
