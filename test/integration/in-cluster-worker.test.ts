// The in-cluster worker of examples/worker/, on the real stack: its RBAC objects
// applied (ServiceAccount in a "deployflow" namespace, Role + RoleBinding in an
// app namespace), a token minted with the TokenRequest API and laid out the way
// the kubelet mounts it (token, CA, namespace), the worker's own in-cluster
// config code reading it (TLS verified against the cluster CA), and a deploy
// completed with nothing but those permissions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { parseSpecText } from '../../client/spec-file.js';
import { startDeploy, waitForResult } from '../../client/api.js';
import { loadKubeConfigWithSource } from '../../worker/kubeconfig.js';
import { stackFiles } from '../../stack/layout.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import { useStack, stackKubeConfig } from '../helpers/stack.js';
import { core, freshNamespace, listRcs } from '../helpers/cluster.js';
import { startWorker, temporalClient, type RunningWorker } from '../helpers/temporal.js';
import { runCli } from '../helpers/cli.js';

const WORKER_DIR = new URL('../../examples/worker/', import.meta.url);
const SERVICE_ACCOUNT = 'deployflow-worker';
const IMAGE = 'registry.example/awesome-api:1.0.0';

function manifests(file: string): KubernetesObject[] {
  return (yaml.loadAll(fs.readFileSync(new URL(file, WORKER_DIR), 'utf8')) as KubernetesObject[]).filter(Boolean);
}

/** The stack's apiserver serves a chain: its certificate, then the CA that signed it. */
function clusterCa(): string {
  const pem = fs.readFileSync(path.join(stackFiles().pki, 'apiserver.crt'), 'utf8');
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const ca = certs.find((c) => new crypto.X509Certificate(c).ca);
  assert.ok(ca, 'the apiserver certificate chain ends in its CA');
  return ca + '\n';
}

describe('the in-cluster worker of examples/worker/ on the local stack', () => {
  let info: StackInfo;
  let admin: KubeConfig;
  let client: Client;
  let workerNamespace: string;
  let appNamespace: string;
  let serviceAccountDir: string;
  let inCluster: KubeConfig;
  let worker: RunningWorker | undefined;
  let environment: string;

  before(async () => {
    info = await useStack();
    admin = stackKubeConfig(info);
    client = await temporalClient(info);
    workerNamespace = await freshNamespace(admin, 'icw');
    appNamespace = await freshNamespace(admin, 'ica');
    environment = `env-${appNamespace}`.slice(0, 63);
  });
  after(async () => {
    await worker?.stop();
    await client?.connection.close();
  });

  test('apply the ServiceAccount and the app namespace’s Role + RoleBinding', async () => {
    const api = KubernetesObjectApi.makeApiClient(admin);
    // As an operator would: the worker's namespace for the account, the app's for its rights.
    const objects = [
      ...manifests('serviceaccount.yaml').map((o) => ({ ...o, metadata: { ...o.metadata, namespace: workerNamespace } })),
      ...manifests('rbac.yaml').map((o) => {
        const bound = o as KubernetesObject & { subjects?: Array<{ kind: string; name: string; namespace: string }> };
        return {
          ...bound,
          metadata: { ...o.metadata, namespace: appNamespace },
          ...(bound.subjects && { subjects: bound.subjects.map((s) => ({ ...s, namespace: workerNamespace })) }),
        };
      }),
    ];
    const created = [];
    for (const object of objects) created.push(`${(await api.create(object)).kind}/${object.metadata?.name}`);
    assert.deepEqual(created, ['ServiceAccount/deployflow-worker', 'Role/deployflow-worker', 'RoleBinding/deployflow-worker']);
  });

  test('a minted token laid out as the kubelet mounts it is what the worker’s in-cluster config reads', async () => {
    const request = await core(admin).createNamespacedServiceAccountToken({
      name: SERVICE_ACCOUNT,
      namespace: workerNamespace,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 900 } },
    });
    const token = request.status?.token;
    assert.ok(token, 'TokenRequest returned a token');

    serviceAccountDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serviceaccount-'));
    fs.writeFileSync(path.join(serviceAccountDir, 'token'), token, { mode: 0o600 });
    fs.writeFileSync(path.join(serviceAccountDir, 'ca.crt'), clusterCa());
    fs.writeFileSync(path.join(serviceAccountDir, 'namespace'), workerNamespace);

    const server = new URL(admin.getCurrentCluster()!.server);
    const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), 'home-'));
    const loaded = loadKubeConfigWithSource(
      {},
      {
        // What a pod's environment holds; no KUBECONFIG, no ~/.kube/config.
        env: { KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port },
        homeDir: emptyHome,
        serviceAccountDir,
        exists: (f) => fs.existsSync(f),
      },
    );
    assert.deepEqual(loaded.source, { kind: 'in-cluster', server: `https://${server.hostname}:${server.port}`, namespace: workerNamespace });
    assert.equal(loaded.kubeConfig.getCurrentCluster()?.skipTLSVerify, false, 'TLS verified against the cluster CA');
    inCluster = loaded.kubeConfig;
  });

  test('the account can do what a deploy needs in the app namespace, and not more', async () => {
    const asWorker = core(inCluster);
    await asWorker.listNamespacedReplicationController({ namespace: appNamespace });
    await asWorker.listNamespacedPod({ namespace: appNamespace });
    const forbidden = async (what: string, call: () => Promise<unknown>) => {
      await assert.rejects(call(), (err: unknown) => (err as { code?: number }).code === 403, `${what} is Forbidden`);
    };
    await forbidden('listing secrets', () => asWorker.listNamespacedSecret({ namespace: appNamespace }));
    await forbidden('RCs in its own namespace', () => asWorker.listNamespacedReplicationController({ namespace: workerNamespace }));
    await forbidden('RCs in another namespace', () => asWorker.listNamespacedReplicationController({ namespace: 'default' }));
  });

  test('a worker with the in-cluster config completes a deploy in the app namespace', async () => {
    const before = await runCli(['workers', '--env', environment], { TEMPORAL_ADDRESS: info.temporalAddress });
    assert.equal(before.code, 1, 'no worker of this environment yet');

    worker = await startWorker(info, inCluster, environment, [appNamespace]);
    // The server lists a poller once its first poll arrives, a moment after the worker starts.
    let polling = await runCli(['workers', '--env', environment], { TEMPORAL_ADDRESS: info.temporalAddress });
    for (let tries = 1; polling.code !== 0 && tries < 20; tries++) {
      await new Promise((r) => setTimeout(r, 500));
      polling = await runCli(['workers', '--env', environment], { TEMPORAL_ADDRESS: info.temporalAddress });
    }
    assert.equal(polling.code, 0, polling.stderr);

    const example = parseSpecText(fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8'));
    const spec = { ...example, namespace: appNamespace, replicas: 2, strategy: { ...example.strategy, minReadySeconds: 0, progressDeadlineSeconds: 15 } };
    const result = await waitForResult(await startDeploy(client, { spec, environment, image: IMAGE, requestedBy: 'in-cluster-test' }));
    assert.equal(result.outcome, 'Succeeded', result.message);

    const rcs = await listRcs(admin, appNamespace, 'awesome-api');
    assert.deepEqual(rcs.map((rc) => [rc.metadata?.name, rc.spec?.replicas]), [[result.rc, 2]]);
    const secret = await core(admin).readNamespacedSecret({ name: 'environment', namespace: appNamespace });
    assert.equal(Buffer.from(secret.data?.environment ?? '', 'base64').toString(), environment, 'the worker created the environment secret');

    // A second release rolls with the same rights (scale subresource, pod watch, delete old revision history).
    const next = await waitForResult(await startDeploy(client, { spec, environment, image: 'registry.example/awesome-api:1.0.1', requestedBy: 'in-cluster-test' }));
    assert.equal(next.outcome, 'Succeeded', next.message);
  });
});
