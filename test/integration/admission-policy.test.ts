// Defense in depth on the real stack: examples/rbac/admission-policy.yaml (a
// ValidatingAdmissionPolicy, enforced by the stack's 1.34 apiserver) refuses what
// the worker's own checks would refuse, when those checks are bypassed: the test
// calls the API directly with the worker's ServiceAccount token, with RBAC granting
// the calls, so every refusal here is the admission policy's. A legitimate RC is
// admitted (the control case), the audit log shows the refused requests wrote
// nothing, and Pod Security Admission refuses a hostNetwork pod in a labelled
// namespace (and admits an RC with such a template, whose pods it then refuses).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject, type V1ReplicationController } from '@kubernetes/client-node';
import { renderReplicationController } from '../../domain/render.js';
import { validateAppSpec } from '../../domain/spec.js';
import { repoRoot } from '../../stack/layout.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import { useStack, stackKubeConfig } from '../helpers/stack.js';
import { core } from '../helpers/cluster.js';
import { AuditLog } from '../helpers/audit.js';

const RBAC_DIR = path.join(repoRoot, 'examples', 'rbac');
const SERVICE_ACCOUNT = 'deployflow-worker';
const POLICIES = ['deployflow-worker', 'deployflow-worker-rcs', 'deployflow-worker-scale', 'deployflow-worker-secrets', 'deployflow-worker-pods'];
/** What an app namespace carries (admission-policy.yaml documents these labels). */
const APP_NAMESPACE_LABELS = {
  'deployflow.io/apps': 'true',
  'pod-security.kubernetes.io/enforce': 'baseline',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

function docs(file: string): KubernetesObject[] {
  return (yaml.loadAll(fs.readFileSync(path.join(RBAC_DIR, file), 'utf8')) as KubernetesObject[]).filter(Boolean);
}

let counter = 0;
async function namespace(admin: KubeConfig, prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  await core(admin).createNamespace({ body: { metadata: { name, labels } } });
  return name;
}

interface Refusal {
  code: number;
  message: string;
}

/** The API error of `call`; fails the test if the call succeeds. */
async function refusal(call: () => Promise<unknown>): Promise<Refusal> {
  try {
    await call();
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
    return { code: e.code ?? 0, message: body?.message ?? String(err) };
  }
  assert.fail('the apiserver admitted the request');
}

/** A refusal by the admission policy (not by RBAC, not by validation), with its rule. */
function assertPolicyRefused(r: Refusal, policy: string, rule: RegExp): void {
  assert.equal(r.code, 403, r.message);
  assert.match(r.message, new RegExp(`ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request: deployflow worker: `), r.message);
  assert.match(r.message, rule);
}

describe('the admission policy of examples/rbac/ on the local stack', () => {
  let info: StackInfo;
  let admin: KubeConfig;
  let asWorker: CoreV1Api;
  let workerNs: string;
  let appNs: string;
  let otherNs: string;
  let legit: V1ReplicationController;
  const created: KubernetesObject[] = [];
  const workerUser = () => `system:serviceaccount:${workerNs}:${SERVICE_ACCOUNT}`;

  /** A deployflow RC of `name` in `ns`, as render writes it, with `change` applied to its pod spec. */
  function rc(ns: string, name: string, change: (pod: Record<string, unknown>) => void = () => undefined): V1ReplicationController {
    const spec = validateAppSpec({ name, app: name, tier: 'backend', role: 'api', namespace: ns, containers: [{ name: 'api', image: 'registry.example/api' }] });
    const manifest = renderReplicationController({
      spec, environment: 'test', image: ':1.0.0', revision: 1, requestedBy: 'test', workflowId: `deploy/test/${ns}/${name}`, replicas: 0,
    }) as unknown as V1ReplicationController;
    change(manifest.spec!.template!.spec as unknown as Record<string, unknown>);
    return manifest;
  }

  before(async () => {
    info = await useStack();
    admin = stackKubeConfig(info);
    workerNs = await namespace(admin, 'vap-worker');
    appNs = await namespace(admin, 'vap-app', APP_NAMESPACE_LABELS);
    otherNs = await namespace(admin, 'vap-other');
    const objects = KubernetesObjectApi.makeApiClient(admin);
    // The worker's identity, and RBAC for it in both app namespaces: what the policy refuses, RBAC would allow.
    await objects.create({ ...docs('serviceaccount.yaml')[0]!, metadata: { ...docs('serviceaccount.yaml')[0]!.metadata, namespace: workerNs } });
    for (const ns of [appNs, otherNs]) {
      for (const doc of [...docs('role.yaml'), ...docs('rolebinding.yaml')]) {
        const bound = doc as KubernetesObject & { subjects?: Array<Record<string, string>> };
        await objects.create({
          ...bound,
          metadata: { ...doc.metadata, namespace: ns },
          ...(bound.subjects && { subjects: bound.subjects.map((s) => ({ ...s, namespace: workerNs })) }),
        });
      }
    }
    for (const doc of docs('admission-policy.yaml')) created.push(await objects.create(doc));
    const request = await core(admin).createNamespacedServiceAccountToken({
      name: SERVICE_ACCOUNT, namespace: workerNs, body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const token = request.status?.token;
    assert.ok(token, 'the TokenRequest API returned a token');
    const worker = new KubeConfig();
    worker.loadFromOptions({
      clusters: [{ name: 'local', server: admin.getCurrentCluster()!.server, skipTLSVerify: true }],
      users: [{ name: SERVICE_ACCOUNT, token }],
      contexts: [{ name: SERVICE_ACCOUNT, cluster: 'local', user: SERVICE_ACCOUNT }],
      currentContext: SERVICE_ACCOUNT,
    });
    asWorker = worker.makeApiClient(CoreV1Api);
    // A new policy takes a moment to reach the apiserver's admission chain: probe with a dry run (writes nothing).
    const probe = { metadata: { name: 'probe' }, stringData: { a: 'b' } };
    for (let tries = 0; ; tries++) {
      try {
        await asWorker.createNamespacedSecret({ namespace: appNs, body: probe, dryRun: 'All' });
      } catch (err) {
        if ((err as { code?: number }).code === 403) break;
        throw err;
      }
      assert.ok(tries < 150, 'the admission policy is enforced within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    // Cluster-wide: the other test files' workers (ServiceAccounts of the same name) must not meet it.
    const objects = KubernetesObjectApi.makeApiClient(admin);
    for (const object of created.reverse()) await objects.delete(object).catch(() => undefined);
  });

  test('the stack enforces ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1), and every expression type-checks', async () => {
    const api = KubernetesObjectApi.makeApiClient(admin);
    for (const name of POLICIES) {
      // The apiserver checks each expression against the schema of the kind it matches: a misspelt field shows here.
      let status: { typeChecking?: { expressionWarnings?: unknown[] } } | undefined;
      for (let tries = 0; tries < 50 && !status?.typeChecking; tries++) {
        const read = (await api.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name } })) as { status?: typeof status };
        status = read.status;
        if (!status?.typeChecking) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(status?.typeChecking, `${name} was type-checked`);
      assert.deepEqual(status.typeChecking.expressionWarnings ?? [], [], name);
    }
  });

  test('a legitimate RC from the worker is admitted (the control case), and it may scale it', async () => {
    legit = rc(appNs, 'legit');
    const made = await asWorker.createNamespacedReplicationController({ namespace: appNs, body: legit });
    assert.equal(made.metadata?.name, legit.metadata?.name);
    const name = legit.metadata!.name!;
    await asWorker.replaceNamespacedReplicationControllerScale({ name, namespace: appNs, body: { metadata: { name, namespace: appNs }, spec: { replicas: 1 } } });
    await asWorker.createNamespacedSecret({ namespace: appNs, body: { metadata: { name: 'environment' }, stringData: { environment: 'test' } } });
  });

  test('writes the worker’s checks would refuse are refused by the apiserver too, and write nothing', async (t) => {
    // Someone else's RC and pod in the app namespace, made by an operator (whom the policy does not bind).
    const foreignRc = { metadata: { name: 'coredns', labels: { k8s: 'dns' } }, spec: { replicas: 0, selector: { k8s: 'dns' }, template: { metadata: { labels: { k8s: 'dns' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } };
    await core(admin).createNamespacedReplicationController({ namespace: appNs, body: foreignRc });
    await core(admin).createNamespacedPod({ namespace: appNs, body: { metadata: { name: 'debug', labels: { debug: 'true' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    // Each policy reaches the admission chain on its own: the probe in before() saw only the
    // secrets one. A dry-run delete (it writes nothing) until the pods one refuses too.
    for (let tries = 0; ; tries++) {
      try {
        await asWorker.deleteNamespacedPod({ name: 'debug', namespace: appNs, dryRun: 'All' });
      } catch (err) {
        if ((err as { code?: number }).code === 403) break;
        throw err;
      }
      assert.ok(tries < 150, 'the pods policy is enforced within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }

    const audit = new AuditLog(info).mark();
    const create = (ns: string, body: V1ReplicationController) => () => asWorker.createNamespacedReplicationController({ namespace: ns, body });
    const R = 'deployflow-worker-rcs';
    const cases: Array<[what: string, call: () => Promise<unknown>, policy: string, rule: RegExp]> = [
      ['a privileged container', create(appNs, rc(appNs, 'priv', (p) => { (p.containers as Array<Record<string, unknown>>)[0]!.securityContext = { privileged: true }; })), R, /containers must not be privileged/],
      ['a privileged init container', create(appNs, rc(appNs, 'priv-init', (p) => { p.initContainers = [{ name: 'i', image: 'x', securityContext: { privileged: true } }]; })), R, /containers must not be privileged/],
      ['a hostPath volume', create(appNs, rc(appNs, 'hostpath', (p) => { (p.volumes as unknown[]).push({ name: 'root', hostPath: { path: '/' } }); })), R, /must not mount hostPath volumes/],
      ['hostNetwork', create(appNs, rc(appNs, 'hostnet', (p) => { p.hostNetwork = true; })), R, /must not share the host network, PID or IPC namespace/],
      ['hostPID', create(appNs, rc(appNs, 'hostpid', (p) => { p.hostPID = true; })), R, /must not share the host network/],
      ['an RC without deployflow’s labels', create(appNs, { ...rc(appNs, 'unlabelled'), metadata: { name: 'unlabelled-0123abcd', labels: { name: 'unlabelled', deployment: '0123abcd' } } }), R, /must be deployflow's/],
      ['an RC in a namespace that is no app namespace', create(otherNs, rc(otherNs, 'elsewhere')), 'deployflow-worker', new RegExp(`namespace ${otherNs} is not an app namespace`)],
      ['a secret other than environment', () => asWorker.createNamespacedSecret({ namespace: appNs, body: { metadata: { name: 'payments-db' }, stringData: { p: 'x' } } }), 'deployflow-worker-secrets', /the only secret it may write is creating `environment`/],
      ['scaling an RC not named like deployflow’s', () => asWorker.replaceNamespacedReplicationControllerScale({ name: 'coredns', namespace: appNs, body: { metadata: { name: 'coredns', namespace: appNs }, spec: { replicas: 5 } } }), 'deployflow-worker-scale', /scales only ReplicationControllers named like its own/],
      ['deleting an RC that is not deployflow’s', () => asWorker.deleteNamespacedReplicationController({ name: 'coredns', namespace: appNs }), R, /must be deployflow's/],
      ['deleting pods that are not deployflow’s', () => asWorker.deleteNamespacedPod({ name: 'debug', namespace: appNs }), 'deployflow-worker-pods', /deletes only pods of its ReplicationControllers/],
    ];
    for (const [what, call, policy, rule] of cases) {
      await t.test(what, async () => assertPolicyRefused(await refusal(call), policy, rule));
    }

    // Nothing was written: every request of the worker since the mark was refused, and the objects are as they were.
    const writes = audit.writesSince().filter((e) => e.user.username === workerUser());
    assert.ok(writes.length >= cases.length, `the audit log holds the worker's ${cases.length} attempts (got ${writes.length})`);
    for (const w of writes) assert.ok((w.responseStatus?.code ?? 0) >= 400, `refused: ${w.verb} ${w.objectRef?.resource} ${w.objectRef?.name} (${w.responseStatus?.code})`);
    const rcs = (await core(admin).listNamespacedReplicationController({ namespace: appNs })).items.map((r) => r.metadata?.name).sort();
    assert.deepEqual(rcs, ['coredns', legit.metadata!.name!].sort());
    assert.equal((await core(admin).listNamespacedReplicationController({ namespace: otherNs })).items.length, 0);
    assert.equal((await core(admin).readNamespacedReplicationController({ name: 'coredns', namespace: appNs })).spec?.replicas, 0);
    assert.equal((await core(admin).listNamespacedPod({ namespace: appNs, labelSelector: 'debug=true' })).items.length, 1);
    const secrets = (await core(admin).listNamespacedSecret({ namespace: appNs })).items.map((s) => s.metadata?.name);
    assert.ok(!secrets.includes('payments-db'));
  });

  test('the policy binds the worker only: an operator may still do what the worker may not', async () => {
    const body = rc(otherNs, 'operator', (p) => { (p.volumes as unknown[]).push({ name: 'cache', hostPath: { path: '/var/cache' } }); });
    // (Pod Security Admission then refuses its pods, below; the RC itself is the operator's call.)
    const made = await core(admin).createNamespacedReplicationController({ namespace: otherNs, body, dryRun: 'All' });
    assert.equal(made.metadata?.name, body.metadata?.name);
  });

  test('Pod Security Admission: a hostNetwork pod is refused in a labelled namespace, whoever creates it', async () => {
    const pod = { metadata: { name: 'hostnet' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x' }] } };
    const r = await refusal(() => core(admin).createNamespacedPod({ namespace: appNs, body: pod }));
    assert.equal(r.code, 403, r.message);
    assert.match(r.message, /violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/);
    // The unlabelled namespace has no Pod Security level: the same pod is admitted there (dry run).
    await core(admin).createNamespacedPod({ namespace: otherNs, body: pod, dryRun: 'All' });
  });

  test('Pod Security Admission enforces on pods, not on workload resources: the RC is admitted, its pods are refused', async () => {
    const body = rc(appNs, 'psa', (p) => { p.hostNetwork = true; });
    body.spec!.replicas = 1;
    await core(admin).createNamespacedReplicationController({ namespace: appNs, body });
    const name = body.metadata!.name!;
    let failure: string | undefined;
    for (let tries = 0; tries < 100 && !failure; tries++) {
      const events = await core(admin).listNamespacedEvent({ namespace: appNs, fieldSelector: `involvedObject.name=${name}` });
      failure = events.items.find((e) => e.reason === 'FailedCreate')?.message;
      if (!failure) await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(failure ?? '', /violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/);
    const pods = await core(admin).listNamespacedPod({ namespace: appNs, labelSelector: `deployment=${body.spec!.selector!.deployment}` });
    assert.equal(pods.items.length, 0);
  });
});
