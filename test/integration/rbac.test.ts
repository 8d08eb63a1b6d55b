// Least privilege on the real stack (its apiserver authorizes with RBAC): the
// worker runs with a token of the ServiceAccount in examples/rbac/, completes a
// deploy in its namespace, and a write anywhere else is refused as Forbidden
// and surfaced as a non-retryable failure, in one attempt.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { AuthorizationV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { parseSpecText } from '../../client/spec-file.js';
import { startDeploy, waitForResult } from '../../client/api.js';
import { renderReplicationController } from '../../domain/render.js';
import type { AppSpec } from '../../domain/spec.js';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities/index.js';
import { workflowIdFor } from '../../domain/names.js';
import { kubeFromConfig } from '../../activities/kube.js';
import { loadKubeConfig } from '../../worker/kubeconfig.js';
import { createWorker } from '../../worker/run.js';
import { repoRoot } from '../../stack/layout.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import { useStack, stackKubeConfig } from '../helpers/stack.js';
import { core, freshNamespace, listRcs } from '../helpers/cluster.js';
import { AuditLog } from '../helpers/audit.js';
import { startWorker, temporalClient, type RunningWorker } from '../helpers/temporal.js';

const RBAC_DIR = path.join(repoRoot, 'examples', 'rbac');
const SERVICE_ACCOUNT = 'deployflow-worker';
const IMAGE = 'registry.example/awesome-api:1.0.0';

/**
 * `kubectl apply -n NS -f examples/rbac/`: every namespaced manifest of the folder, created in
 * `namespace`. The admission policy is cluster-wide, applied once per cluster (its own test).
 */
async function applyRbac(kc: KubeConfig, namespace: string): Promise<string[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const applied: string[] = [];
  for (const file of fs.readdirSync(RBAC_DIR).filter((f) => f.endsWith('.yaml') && f !== 'admission-policy.yaml').sort()) {
    for (const doc of yaml.loadAll(fs.readFileSync(path.join(RBAC_DIR, file), 'utf8')) as KubernetesObject[]) {
      await api.create({ ...doc, metadata: { ...doc.metadata, namespace } });
      applied.push(`${doc.kind}/${doc.metadata?.name}`);
    }
  }
  return applied;
}

/** A kubeconfig file like .stack/kubeconfig, but authenticating as the ServiceAccount. */
function writeServiceAccountKubeconfig(info: StackInfo, token: string, file: string): void {
  const server = stackKubeConfig(info).getCurrentCluster()?.server;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'deployflow-local', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: SERVICE_ACCOUNT, user: { token } }],
    contexts: [{ name: SERVICE_ACCOUNT, context: { cluster: 'deployflow-local', user: SERVICE_ACCOUNT } }],
    'current-context': SERVICE_ACCOUNT,
  };
  fs.writeFileSync(file, yaml.dump(config), { mode: 0o600 });
}

function isForbidden(err: unknown): boolean {
  return err instanceof ApplicationFailure && err.type === 'Forbidden' && err.nonRetryable === true && /HTTP 403/.test(err.message);
}

describe('least privilege: the worker with the ServiceAccount of examples/rbac/', () => {
  let info: StackInfo;
  let admin: KubeConfig;
  let sa: KubeConfig;
  let namespace: string;
  let other: string;
  let environment: string;
  let client: Client;
  let worker: RunningWorker | undefined;
  let spec: AppSpec;
  let dir: string;
  const saUser = () => `system:serviceaccount:${namespace}:${SERVICE_ACCOUNT}`;

  before(async () => {
    info = await useStack();
    admin = stackKubeConfig(info);
    namespace = await freshNamespace(admin, 'rbac');
    other = await freshNamespace(admin, 'rbac-other');
    environment = `env-${namespace}`.slice(0, 63);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployflow-rbac-'));
    await applyRbac(admin, namespace);
    const request = await core(admin).createNamespacedServiceAccountToken({
      name: SERVICE_ACCOUNT,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const token = request.status?.token;
    assert.ok(token, 'the TokenRequest API returned no token');
    const file = path.join(dir, 'kubeconfig');
    writeServiceAccountKubeconfig(info, token, file);
    // The way `deployctl worker --kubeconfig FILE` loads it.
    sa = loadKubeConfig({ kubeconfig: file });
    client = await temporalClient(info);
    const example = parseSpecText(fs.readFileSync(path.join(repoRoot, 'examples', 'awesome-api.yaml'), 'utf8'));
    spec = { ...example, namespace, replicas: 2, strategy: { ...example.strategy, minReadySeconds: 0, progressDeadlineSeconds: 15 } };
  });
  after(async () => {
    await worker?.stop();
    await client?.connection.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the Role grants what a deploy needs in its namespace and nothing else', async () => {
    const authz = sa.makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, resource: string, ns: string | undefined, extra: { name?: string; subresource?: string } = {}) => {
      const review = await authz.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { verb, resource, namespace: ns, ...extra } } },
      });
      return review.status?.allowed === true;
    };
    const allowed: Array<[string, string, { name?: string; subresource?: string }?]> = [
      ['get', 'secrets', { name: 'environment' }],
      ['create', 'secrets'],
      ['list', 'replicationcontrollers'],
      ['watch', 'replicationcontrollers'],
      ['get', 'replicationcontrollers'],
      ['create', 'replicationcontrollers'],
      ['delete', 'replicationcontrollers'],
      ['update', 'replicationcontrollers', { subresource: 'scale' }],
      ['list', 'pods'],
      ['watch', 'pods'],
      ['delete', 'pods'], // one by one, only pods an RC left without a controller
    ];
    const refused: Array<[string, string, { name?: string; subresource?: string }?]> = [
      ['get', 'secrets', { name: 'database-password' }],
      ['list', 'secrets'],
      ['update', 'secrets', { name: 'environment' }],
      ['delete', 'secrets', { name: 'environment' }],
      ['update', 'replicationcontrollers'], // templates never change: scaling goes through /scale
      ['patch', 'replicationcontrollers'],
      ['create', 'pods'],
      ['deletecollection', 'pods'], // never by a label selector alone
      ['get', 'replicationcontrollers', { subresource: 'scale' }], // unused: the RC itself is read
      ['create', 'pods', { subresource: 'exec' }],
      ['get', 'configmaps'],
      ['create', 'roles'],
      ['create', 'rolebindings'],
      ['create', 'serviceaccounts', { subresource: 'token' }],
    ];
    for (const [verb, resource, extra] of allowed) assert.ok(await can(verb, resource, namespace, extra), `${verb} ${resource} ${JSON.stringify(extra ?? {})} in its namespace`);
    for (const [verb, resource, extra] of refused) assert.ok(!(await can(verb, resource, namespace, extra)), `${verb} ${resource} ${JSON.stringify(extra ?? {})} allowed`);
    for (const [verb, resource, extra] of allowed) assert.ok(!(await can(verb, resource, other, extra)), `${verb} ${resource} allowed in another namespace`);
    // Nothing cluster-wide.
    for (const [verb, resource] of [['list', 'nodes'], ['list', 'namespaces'], ['create', 'namespaces'], ['list', 'secrets']] as const) {
      assert.ok(!(await can(verb, resource, undefined)), `${verb} ${resource} cluster-wide`);
    }
  });

  test('its preflight reads the environment secret with the namespaced Role, and is refused elsewhere', async () => {
    // Its own namespace: allowed (no secret yet, so nothing to contradict).
    worker = await startWorker(info, sa, environment, [namespace]);
    // A namespace without the Role: the worker does not start, and says why.
    await assert.rejects(
      createWorker({ environment, kubeConfig: sa, namespaces: [other], temporal: { connectionOptions: { address: info.temporalAddress } } }),
      (err: unknown) => isForbidden(err) && (err as Error).message.includes(`read secret ${other}/environment`),
    );
  });

  test('it completes a deploy in its namespace', async () => {
    assert.ok(worker, 'the worker did not start');
    const audit = new AuditLog(info).mark();
    const result = await waitForResult(await startDeploy(client, { spec, environment, image: IMAGE, requestedBy: 'rbac-test' }));
    assert.equal(result.outcome, 'Succeeded', result.message);
    const rcs = await listRcs(admin, namespace, spec.name);
    assert.deepEqual(rcs.map((rc) => rc.spec?.replicas), [2]);
    const secret = await core(admin).readNamespacedSecret({ name: 'environment', namespace });
    assert.equal(Buffer.from(secret.data!.environment!, 'base64').toString(), environment);
    // The deploy's writes (controllers write pods and status on their own) were the ServiceAccount's.
    const deployWrites = audit.deployWritesSince().filter((e) => e.objectRef?.namespace === namespace);
    assert.ok(deployWrites.length >= 2, 'the secret and the RC were written');
    const writers = new Set(deployWrites.map((e) => e.user.username));
    assert.deepEqual([...writers], [saUser()]);
  });

  test('a deploy into another namespace fails fast: Forbidden, non-retryable, one attempt, nothing written', async () => {
    assert.ok(worker, 'the worker did not start');
    const audit = new AuditLog(info).mark();
    const started = Date.now();
    const handle = await startDeploy(client, { spec: { ...spec, namespace: other }, environment, image: IMAGE, requestedBy: 'rbac-test' });
    const result = await waitForResult(handle);
    assert.equal(result.outcome, 'Failed', result.message);
    assert.equal(result.reason, 'Forbidden');
    assert.match(result.message, /HTTP 403/);
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);

    const events = (await handle.fetchHistory()).events ?? [];
    // Deploys since local calls make the secret check and the RC list as local activities: a failed one is a marker with its failure.
    const localFailures = events.flatMap((e) => (e.markerRecordedEventAttributes?.markerName === 'core_local_activity' && e.markerRecordedEventAttributes.failure ? [e.markerRecordedEventAttributes.failure] : []));
    const failures = [...events.flatMap((e) => (e.activityTaskFailedEventAttributes ? [e.activityTaskFailedEventAttributes.failure] : [])), ...localFailures.map((f) => (f.applicationFailureInfo ? f : (f.cause ?? f)))];
    // The secret check and the RC list run at once: both are refused, each exactly once.
    assert.ok(failures.length >= 1 && failures.length <= 2, `${failures.length} activity failures`);
    for (const failure of failures) {
      assert.equal(failure?.applicationFailureInfo?.type, 'Forbidden');
      assert.equal(failure?.applicationFailureInfo?.nonRetryable, true);
    }
    const started1 = events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => Number(e.activityTaskStartedEventAttributes?.attempt));
    assert.ok(started1.every((attempt) => attempt === 1), `attempts ${started1.join(', ')}`);

    // Controllers fill a new namespace on their own (its root CA configmap, its default ServiceAccount): count the worker's writes.
    assert.deepEqual(audit.writesSince(other).filter((e) => e.user.username === saUser()), []);
    assert.deepEqual((await core(admin).listNamespacedSecret({ namespace: other })).items.map((s) => s.metadata?.name).filter((n) => n === 'environment'), []);
  });

  test('each write outside its namespace, called directly, is refused as a non-retryable Forbidden failure', async () => {
    const acts = createActivities({ kube: kubeFromConfig(sa), environment });
    // Called as the app's own deploy would call them, so the worker's checks pass and RBAC is what refuses.
    const workflowId = workflowIdFor(environment, other, spec.name);
    const activity = new MockActivityEnvironment({ workflowType: 'deploy', workflowExecution: { workflowId, runId: 'rbac-test' } });
    const manifest = renderReplicationController({
      spec: { ...spec, namespace: other },
      environment,
      image: IMAGE,
      revision: 1,
      requestedBy: 'rbac-test',
      workflowId,
      replicas: spec.replicas,
    });
    const audit = new AuditLog(info).mark();
    await assert.rejects(activity.run(acts.ensureEnvironmentSecret, { namespace: other, environment }), isForbidden);
    await assert.rejects(activity.run(acts.createReplicationController, { manifest }), isForbidden);
    await assert.rejects(activity.run(acts.scaleReplicationController, { namespace: other, name: manifest.metadata.name, replicas: 3 }), isForbidden);
    await assert.rejects(activity.run(acts.deleteReplicationController, { namespace: other, name: manifest.metadata.name }), isForbidden);

    const writes = audit.writesSince(other).filter((e) => e.user.username === saUser());
    assert.ok(writes.length > 0, 'the refused writes reached the apiserver');
    for (const w of writes) assert.equal(w.responseStatus?.code, 403, `${w.verb} ${w.objectRef?.resource} was not refused`);
    assert.deepEqual(audit.deployWritesSince().filter((e) => e.objectRef?.namespace === other && (e.responseStatus?.code ?? 500) < 300), []);
    assert.deepEqual((await core(admin).listNamespacedReplicationController({ namespace: other })).items, []);
  });
});
