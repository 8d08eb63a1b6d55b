// What every fault test needs: the fault stack, a namespace and environment of
// its own, the deploy worker as a real process (so it can be killed), a client,
// specs, and the checks of DESIGN.md §3 a faulted deploy must still pass:
//   I1/I2 watched during the rollout (PodExtremesWatcher),
//   I3 the RCs at the end (exactly the expected ones, nothing half-done),
//   I4 from the audit log (no RC created or deleted twice, no template rewritten).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { KubeConfig, V1ReplicationController } from '@kubernetes/client-node';
import type { AppSpec } from '../../domain/spec.js';
import { templateHashOf } from '../../domain/render.js';
import { parseSpecText } from '../../client/spec-file.js';
import { startDeploy, waitForResult, type StartedDeploy } from '../../client/api.js';
import type { DeployResult } from '../../workflows/messages.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import { FAULT_STACK_DIR, faultKubeConfig, useFaultStack } from './fault-stack.js';
import { freshNamespace, isReady, listPods, listRcs } from './cluster.js';
import { temporalClient } from './temporal.js';
import { WorkerProcess } from './worker-process.js';
import { PodExtremesWatcher, type PodExtremes } from './pod-extremes.js';
import { AuditLog, type AuditEvent } from './audit.js';
import { FaultProxy } from './fault-proxy.js';

export type SpecOverrides = Omit<Partial<AppSpec>, 'strategy'> & { strategy?: Partial<AppSpec['strategy']> };

const example = parseSpecText(fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8'));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export { seededRandom } from './seeded-random.js';

/** Calls `fn` until it stops throwing or `timeoutMs` passes (Temporal or the apiserver may be restarting). */
export async function retrying<T>(what: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: still failing after ${timeoutMs / 1000}s: ${(err as Error).message}`);
      await sleep(500);
    }
  }
}

/** Waits for a deploy's result even while Temporal restarts under it. */
export async function resultThroughOutages(handle: StartedDeploy, timeoutMs = 360_000): Promise<DeployResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`${handle.workflowId}: no result within ${timeoutMs / 1000}s`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), remaining)));
    try {
      const result = await Promise.race([waitForResult(handle), timeout]);
      if (result === 'timeout') throw new Error(`${handle.workflowId}: no result within ${timeoutMs / 1000}s`);
      return result;
    } catch (err) {
      // Connection errors while Temporal restarts: ask again. Anything else is the test's failure.
      const message = (err as Error).message ?? '';
      if (!/UNAVAILABLE|ECONNREFUSED|connect|Connection|transport|DEADLINE_EXCEEDED|14 /.test(message) || Date.now() > deadline) throw err;
      await sleep(1000);
    } finally {
      clearTimeout(timer);
    }
  }
}

export interface ExpectedEnd {
  outcome: 'Succeeded' | 'RolledBack';
  /** The app's RCs before the deploy, whose templates must come out unchanged. */
  before: V1ReplicationController[];
  /** The new RC's name. */
  newRc: string;
  desired: number;
  revisionHistoryLimit: number;
}

export interface FaultHarness {
  info: StackInfo;
  kc: KubeConfig;
  client: Client;
  namespace: string;
  environment: string;
  /** The worker process running now (replaced by crashWorker). */
  worker: WorkerProcess;
  /** The proxy between the worker and the apiserver (with `proxy: true`); transparent until told otherwise. */
  proxy?: FaultProxy;
  spec(app: string, overrides?: SpecOverrides): AppSpec;
  rcName(spec: AppSpec, image: string): string;
  startWorker(): Promise<WorkerProcess>;
  /** kill -9 the worker and start a fresh one. */
  crashWorker(): Promise<{ killed: number; started: WorkerProcess }>;
  start(spec: AppSpec, image: string): Promise<StartedDeploy>;
  deploy(spec: AppSpec, image: string): Promise<DeployResult>;
  watch(app: string): Promise<PodExtremesWatcher>;
  audit(): AuditLog;
  /** I3 and I4 after a deploy: the exact RC set, nothing orphaned, no RC written twice. */
  checkEnd(app: string, expected: ExpectedEnd, audit: AuditLog): Promise<void>;
  close(): Promise<void>;
}

let workerCounter = 0;

/** `proxy: true` puts a FaultProxy between the worker and the apiserver (for injected faults and precise kills). */
export async function faultHarness(prefix: string, options: { proxy?: boolean } = {}): Promise<FaultHarness> {
  const info = await useFaultStack();
  const kc = faultKubeConfig(info);
  const namespace = await freshNamespace(kc, prefix);
  const environment = `env-${namespace}`.slice(0, 63);
  const client = await temporalClient(info);
  const logDir = path.join(FAULT_STACK_DIR, 'logs', 'workers');
  const proxy = options.proxy ? await FaultProxy.start({ port: info.state.ports.apiserver }) : undefined;
  const workerKubeconfig = proxy ? proxy.writeKubeconfig(path.join(FAULT_STACK_DIR, `kubeconfig-${namespace}`), info.state.adminToken) : info.kubeconfig;

  const h: FaultHarness = {
    info,
    kc,
    client,
    namespace,
    environment,
    worker: undefined as unknown as WorkerProcess,
    proxy,
    spec(app, overrides = {}) {
      const { strategy, ...rest } = overrides;
      return {
        ...example,
        name: app,
        namespace,
        replicas: 3,
        revisionHistoryLimit: 2,
        ...rest,
        strategy: { ...example.strategy, maxSurge: 1, maxUnavailable: 0, minReadySeconds: 1, progressDeadlineSeconds: 30, ...strategy },
      };
    },
    rcName(spec, image) {
      return `${spec.name}-${templateHashOf(spec, image)}`;
    },
    async startWorker() {
      const logFile = path.join(logDir, `${environment}-${workerCounter++}.log`);
      h.worker = await WorkerProcess.start({ environment, namespaces: [namespace], kubeconfig: workerKubeconfig, temporalAddress: info.temporalAddress, logFile });
      return h.worker;
    },
    async crashWorker() {
      const killed = h.worker.pid;
      await h.worker.kill9();
      return { killed, started: await h.startWorker() };
    },
    start(spec, image) {
      return startDeploy(client, { spec, environment, image, requestedBy: 'fault-test' });
    },
    async deploy(spec, image) {
      return resultThroughOutages(await h.start(spec, image));
    },
    watch(app) {
      return new PodExtremesWatcher(kc, namespace, `name=${app}`).start();
    },
    audit() {
      return new AuditLog(info).mark();
    },
    async checkEnd(app, expected, audit) {
      await checkEnd(h, app, expected, audit);
    },
    async close() {
      await h.worker?.stop();
      await client.connection.close();
      await proxy?.close();
    },
  };
  await h.startWorker();
  return h;
}

async function checkEnd(h: FaultHarness, app: string, e: ExpectedEnd, audit: AuditLog): Promise<void> {
  const rcs = await retrying('list RCs', () => listRcs(h.kc, h.namespace, app));
  const names = rcs.map((rc) => rc.metadata!.name!);
  const beforeNames = e.before.map((rc) => rc.metadata!.name!);
  assert.equal(new Set(names).size, names.length, `duplicate RC names: ${names.join(', ')}`);
  const hashes = rcs.map((rc) => rc.metadata?.labels?.deployment);
  assert.equal(new Set(hashes).size, hashes.length, `two RCs of one template: ${names.join(', ')}`);

  if (e.outcome === 'Succeeded') {
    // I3: the new RC alone serves; the old ones are kept at 0 (as many as the history limit allows).
    const keptOld = beforeNames.slice(Math.max(0, beforeNames.length - e.revisionHistoryLimit));
    assert.deepEqual([...names].sort(), [...keptOld, e.newRc].sort(), `RCs after success: ${names.join(', ')}`);
    const fresh = rcs.find((rc) => rc.metadata!.name === e.newRc)!;
    assert.equal(fresh.spec?.replicas, e.desired, `${e.newRc} replicas`);
    for (const rc of rcs.filter((r) => r.metadata!.name !== e.newRc)) assert.equal(rc.spec?.replicas, 0, `${rc.metadata!.name} still has replicas`);
  } else {
    // I3: exactly the RCs of before, the serving one back at full size; the new one gone.
    assert.deepEqual(names, beforeNames, `RCs after rollback: ${names.join(', ')} (before: ${beforeNames.join(', ')})`);
    assert.ok(!names.includes(e.newRc), `${e.newRc} survived the rollback`);
  }
  for (const old of e.before) {
    const now = rcs.find((rc) => rc.metadata!.name === old.metadata!.name);
    if (!now) continue;
    assert.deepEqual(now.spec?.template, old.spec?.template, `${old.metadata!.name}: template changed`);
    if (e.outcome === 'RolledBack') assert.equal(now.spec?.replicas, old.spec?.replicas, `${old.metadata!.name}: not back at its size`);
  }

  // Nothing orphaned: within a bounded time, the pods are exactly the serving RC's, all ready.
  const serving = e.outcome === 'Succeeded' ? e.newRc : e.before.find((rc) => (rc.spec?.replicas ?? 0) > 0)?.metadata?.name;
  const servingHash = serving?.slice(app.length + 1);
  const deadline = Date.now() + 90_000;
  let last = '';
  for (;;) {
    const pods = await retrying('list pods', () => listPods(h.kc, h.namespace, `name=${app}`));
    const foreign = pods.filter((p) => p.metadata?.labels?.deployment !== servingHash);
    const ready = pods.filter((p) => p.metadata?.labels?.deployment === servingHash && isReady(p));
    last = `${ready.length} ready of ${serving}, others: ${foreign.map((p) => `${p.metadata?.name}${p.metadata?.deletionTimestamp ? ' (terminating)' : ''}`).join(', ') || 'none'}`;
    if (foreign.length === 0 && ready.length === e.desired && pods.length === e.desired) break;
    if (Date.now() > deadline) assert.fail(`pods did not settle: ${last}`);
    await sleep(1000);
  }

  // I4: each RC created at most once and deleted at most once, and no RC's template rewritten.
  const rcWrites = audit.writesSince(h.namespace).filter((ev) => ev.objectRef?.resource === 'replicationcontrollers');
  const count = (pred: (ev: AuditEvent) => boolean) => {
    const by = new Map<string, number>();
    for (const ev of rcWrites.filter(pred)) by.set(ev.objectRef?.name ?? '', (by.get(ev.objectRef?.name ?? '') ?? 0) + 1);
    return by;
  };
  const ok = (ev: AuditEvent) => (ev.responseStatus?.code ?? 0) < 300;
  for (const [name, n] of count((ev) => ev.verb === 'create' && ok(ev))) assert.equal(n, 1, `${name} created ${n} times`);
  for (const [name, n] of count((ev) => ev.verb === 'delete' && ok(ev))) assert.equal(n, 1, `${name} deleted ${n} times`);
  const rewrites = rcWrites.filter((ev) => ['update', 'patch'].includes(ev.verb) && !ev.objectRef?.subresource && ok(ev));
  assert.deepEqual(rewrites.map((ev) => `${ev.verb} ${ev.objectRef?.name}`), [], 'an RC was rewritten (only scale and status writes are expected)');
}

/** I1 and I2 over what the watcher saw, with the cluster's state at the worst moments in the message. */
export function checkExtremes(seen: PodExtremes, limits: { minReady?: number; maxPods: number }): void {
  if (limits.minReady !== undefined) assert.ok(seen.minReady >= limits.minReady, `I1: ready pods dropped to ${seen.minReady} (${seen.atMinReady})`);
  assert.ok(seen.maxPods <= limits.maxPods, `I2: pods rose to ${seen.maxPods} (${seen.atMaxPods})`);
}
