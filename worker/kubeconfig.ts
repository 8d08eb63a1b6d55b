// Cluster credentials follow kubeconfig conventions: --kubeconfig, then
// $KUBECONFIG, then ~/.kube/config, then the in-cluster service account (a pod
// has KUBERNETES_SERVICE_HOST/PORT and its token mounted under
// /var/run/secrets/kubernetes.io/serviceaccount). Spelled out instead of
// KubeConfig.loadFromDefault(), which ends at http://localhost:8080 when nothing
// is configured (a silent wrong cluster) and reads process globals.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '../activities/kubernetes-client.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeConfigSource =
  | { kind: 'file'; from: '--kubeconfig' | 'KUBECONFIG' | '~/.kube/config'; path: string }
  | { kind: 'in-cluster'; server: string; namespace?: string };

/** What the lookup reads from the machine; tests hand in their own. */
export interface KubeConfigSystem {
  env: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
  serviceAccountDir: string;
  exists(file: string): boolean;
}

export function processSystem(): KubeConfigSystem {
  return { env: process.env, homeDir: os.homedir(), serviceAccountDir: SERVICE_ACCOUNT_DIR, exists: (f) => fs.existsSync(f) };
}

export function loadKubeConfig(options: { kubeconfig?: string; context?: string }, system: KubeConfigSystem = processSystem()): KubeConfig {
  return loadKubeConfigWithSource(options, system).kubeConfig;
}

export function loadKubeConfigWithSource(
  options: { kubeconfig?: string; context?: string },
  system: KubeConfigSystem = processSystem(),
): { kubeConfig: KubeConfig; source: KubeConfigSource } {
  const kc = new KubeConfig();
  const source = load(kc, options, system);
  if (options.context) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new Error(`--context ${options.context}: no such context in the kubeconfig (known: ${known})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new Error(`no cluster configured in ${describeSource(source)}`);
  return { kubeConfig: kc, source };
}

export function describeSource(source: KubeConfigSource): string {
  return source.kind === 'file'
    ? `${source.path} (${source.from})`
    : `the in-cluster service account (${source.server}${source.namespace ? `, namespace ${source.namespace}` : ''})`;
}

function load(kc: KubeConfig, options: { kubeconfig?: string }, system: KubeConfigSystem): KubeConfigSource {
  if (options.kubeconfig) {
    kc.loadFromFile(options.kubeconfig);
    return { kind: 'file', from: '--kubeconfig', path: options.kubeconfig };
  }
  const listed = (system.env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (listed.length > 0) {
    // Like kubectl: the first file sets the current context, later ones add to it.
    kc.loadFromFile(listed[0]!);
    for (const file of listed.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      kc.mergeConfig(more, true);
    }
    return { kind: 'file', from: 'KUBECONFIG', path: listed.join(path.delimiter) };
  }
  const home = system.homeDir ? path.join(system.homeDir, '.kube', 'config') : undefined;
  if (home && system.exists(home)) {
    kc.loadFromFile(home);
    return { kind: 'file', from: '~/.kube/config', path: home };
  }
  const inCluster = inClusterSource(system);
  if (inCluster) {
    loadInCluster(kc, inCluster, system.serviceAccountDir);
    return inCluster;
  }
  throw new Error(
    'no cluster configured: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account ' +
      `(KUBERNETES_SERVICE_HOST and ${path.join(system.serviceAccountDir, 'token')})`,
  );
}

/** In a pod: the API server's address from the service environment, and a mounted token. */
function inClusterSource(system: KubeConfigSystem): Extract<KubeConfigSource, { kind: 'in-cluster' }> | undefined {
  const host = system.env.KUBERNETES_SERVICE_HOST;
  const port = system.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port || !system.exists(path.join(system.serviceAccountDir, 'token'))) return undefined;
  const namespaceFile = path.join(system.serviceAccountDir, 'namespace');
  const namespace = system.exists(namespaceFile) ? fs.readFileSync(namespaceFile, 'utf8').trim() : undefined;
  return { kind: 'in-cluster', server: `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`, ...(namespace && { namespace }) };
}

function loadInCluster(kc: KubeConfig, source: Extract<KubeConfigSource, { kind: 'in-cluster' }>, dir: string): void {
  const caFile = path.join(dir, 'ca.crt');
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server: source.server, caFile, skipTLSVerify: false }],
    // The kubelet rotates projected tokens; the tokenFile provider re-reads the file.
    users: [{ name: 'service-account', authProvider: { name: 'tokenFile', config: { tokenFile: path.join(dir, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'service-account', ...(source.namespace && { namespace: source.namespace }) }],
    currentContext: 'in-cluster',
  });
}
