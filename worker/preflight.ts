// Before it polls a single task, a worker proves it is pointed at the right
// cluster: an `environment` secret naming another environment means refusing
// to start (invariant I6), having written nothing.
import type { Kube } from '../activities/kube.js';
import { readEnvironmentSecret } from '../activities/secret.js';

export class WrongClusterError extends Error {}

export async function checkClusterEnvironment(kube: Kube, environment: string, namespaces: string[]): Promise<void> {
  for (const namespace of namespaces) {
    const found = await readEnvironmentSecret(kube, namespace);
    if (found !== undefined && found !== environment) {
      throw new WrongClusterError(
        `refusing to start: secret ${namespace}/environment says "${found}" but this worker is for "${environment}" ` +
          '(wrong kubeconfig or --context?)',
      );
    }
  }
}

/**
 * The cluster's identity: the UID of its kube-system namespace, which lives as
 * long as the cluster. Undefined when the worker may not read it (its deploys
 * are then not pinned; examples/worker/rbac.yaml grants the read).
 */
export async function readClusterUid(kube: Kube): Promise<string | undefined> {
  try {
    return (await kube.core.readNamespace({ name: 'kube-system' })).metadata?.uid;
  } catch {
    return undefined;
  }
}
