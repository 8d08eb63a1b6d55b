// Where the worker's cluster credentials come from: --kubeconfig, $KUBECONFIG,
// ~/.kube/config, then the in-cluster service account — and never a silent
// http://localhost:8080 when there is none (what loadFromDefault() would do).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadKubeConfig, loadKubeConfigWithSource, describeSource, SERVICE_ACCOUNT_DIR, type KubeConfigSystem } from '../../worker/kubeconfig.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'));

function kubeconfigFile(name: string, server: string, contexts = [name]): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: ${name}, cluster: { server: ${server} } }]
users: [{ name: ${name}, user: { token: t-${name} } }]
contexts: [${contexts.map((c) => `{ name: ${c}, context: { cluster: ${name}, user: ${name} } }`).join(', ')}]
current-context: ${contexts[0]}
`,
  );
  return file;
}

/** A service-account folder as the kubelet mounts it. */
function serviceAccount(files: { token?: string; namespace?: string; ca?: string } = { token: 'sa-token', namespace: 'deployflow', ca: 'CA' }): string {
  const sa = fs.mkdtempSync(path.join(dir, 'sa-'));
  if (files.token !== undefined) fs.writeFileSync(path.join(sa, 'token'), files.token);
  if (files.namespace !== undefined) fs.writeFileSync(path.join(sa, 'namespace'), files.namespace);
  if (files.ca !== undefined) fs.writeFileSync(path.join(sa, 'ca.crt'), files.ca);
  return sa;
}

const emptyHome = fs.mkdtempSync(path.join(dir, 'home-'));
const IN_POD = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

function system(env: Record<string, string | undefined>, overrides: Partial<KubeConfigSystem> = {}): KubeConfigSystem {
  return { env, homeDir: emptyHome, serviceAccountDir: path.join(dir, 'no-service-account'), exists: (f) => fs.existsSync(f), ...overrides };
}

describe('loadKubeConfig: which credentials', () => {
  const flag = kubeconfigFile('flag', 'https://flag.example:6443');
  const fromEnv = kubeconfigFile('env', 'https://env.example:6443');
  const home = fs.mkdtempSync(path.join(dir, 'home-'));
  fs.mkdirSync(path.join(home, '.kube'));
  fs.copyFileSync(kubeconfigFile('home', 'https://home.example:6443'), path.join(home, '.kube', 'config'));
  const sa = serviceAccount();

  test('--kubeconfig wins over everything', () => {
    const { kubeConfig, source } = loadKubeConfigWithSource({ kubeconfig: flag }, system({ KUBECONFIG: fromEnv, ...IN_POD }, { homeDir: home, serviceAccountDir: sa }));
    assert.equal(kubeConfig.getCurrentCluster()?.server, 'https://flag.example:6443');
    assert.deepEqual(source, { kind: 'file', from: '--kubeconfig', path: flag });
  });

  test('then $KUBECONFIG', () => {
    const { kubeConfig, source } = loadKubeConfigWithSource({}, system({ KUBECONFIG: fromEnv, ...IN_POD }, { homeDir: home, serviceAccountDir: sa }));
    assert.equal(kubeConfig.getCurrentCluster()?.server, 'https://env.example:6443');
    assert.equal(source.kind === 'file' && source.from, 'KUBECONFIG');
  });

  test('$KUBECONFIG may list several files: the first sets the context, the others add theirs', () => {
    const other = kubeconfigFile('other', 'https://other.example:6443');
    const kc = loadKubeConfig({ context: 'other' }, system({ KUBECONFIG: `${fromEnv}${path.delimiter}${other}` }));
    assert.equal(kc.getCurrentCluster()?.server, 'https://other.example:6443');
    assert.equal(loadKubeConfig({}, system({ KUBECONFIG: `${fromEnv}${path.delimiter}${other}` })).getCurrentCluster()?.server, 'https://env.example:6443');
  });

  test('then ~/.kube/config, even inside a pod (as kubectl does)', () => {
    const { kubeConfig, source } = loadKubeConfigWithSource({}, system(IN_POD, { homeDir: home, serviceAccountDir: sa }));
    assert.equal(kubeConfig.getCurrentCluster()?.server, 'https://home.example:6443');
    assert.equal(source.kind === 'file' && source.from, '~/.kube/config');
  });

  test('then the in-cluster service account: server from the service env, CA and rotating token from the mount', () => {
    const { kubeConfig, source } = loadKubeConfigWithSource({}, system(IN_POD, { serviceAccountDir: sa }));
    assert.deepEqual(source, { kind: 'in-cluster', server: 'https://10.96.0.1:443', namespace: 'deployflow' });
    const cluster = kubeConfig.getCurrentCluster();
    assert.equal(cluster?.server, 'https://10.96.0.1:443');
    assert.equal(cluster?.caFile, path.join(sa, 'ca.crt'));
    assert.equal(cluster?.skipTLSVerify, false);
    assert.deepEqual(kubeConfig.getCurrentUser()?.authProvider, { name: 'tokenFile', config: { tokenFile: path.join(sa, 'token') } });
    assert.equal(kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace, 'deployflow');
    assert.match(describeSource(source), /in-cluster service account \(https:\/\/10\.96\.0\.1:443, namespace deployflow\)/);
  });

  test('in-cluster: an IPv6 service host is bracketed', () => {
    const { source } = loadKubeConfigWithSource({}, system({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, { serviceAccountDir: sa }));
    assert.equal(source.kind === 'in-cluster' && source.server, 'https://[fd00::1]:443');
  });

  test('the default service-account folder is where the kubelet mounts it', () => {
    assert.equal(SERVICE_ACCOUNT_DIR, '/var/run/secrets/kubernetes.io/serviceaccount');
  });
});

describe('loadKubeConfig: no credentials is an error, never localhost:8080', () => {
  test('nothing configured at all', () => {
    assert.throws(() => loadKubeConfig({}, system({})), /no cluster configured: pass --kubeconfig, set KUBECONFIG, create ~\/\.kube\/config, or run in a pod/);
  });

  test('a token without the service env (not in a pod) is not enough', () => {
    assert.throws(() => loadKubeConfig({}, system({}, { serviceAccountDir: serviceAccount() })), /no cluster configured/);
  });

  test('the service env without a token (automountServiceAccountToken: false) is not enough', () => {
    assert.throws(() => loadKubeConfig({}, system(IN_POD, { serviceAccountDir: serviceAccount({ namespace: 'x', ca: 'CA' }) })), /no cluster configured/);
  });

  test('an unknown --context names the known ones', () => {
    const file = kubeconfigFile('ctx', 'https://ctx.example', ['a', 'b']);
    assert.throws(() => loadKubeConfig({ kubeconfig: file, context: 'c' }, system({})), /--context c: no such context in the kubeconfig \(known: a, b\)/);
    assert.equal(loadKubeConfig({ kubeconfig: file, context: 'b' }, system({})).getCurrentContext(), 'b');
  });
});
