// The bench's own cluster calls (as user `bench`): namespaces, cleanup, and
// waiting for a namespace to be empty between measurements.
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ENVIRONMENT_SECRET } from '../domain/names.js';

export interface BenchKube {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
}

export function benchKube(kubeconfig: string): BenchKube {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

/** A namespace with the `environment` secret both systems' pods mount. */
export async function ensureNamespace(kube: BenchKube, namespace: string, environment: string): Promise<void> {
  await kube.core.createNamespace({ body: { metadata: { name: namespace } } }).catch(ignoreConflict);
  await kube.core
    .createNamespacedSecret({
      namespace,
      body: { metadata: { name: ENVIRONMENT_SECRET.name }, type: 'Opaque', stringData: { [ENVIRONMENT_SECRET.key]: environment } },
    })
    .catch(ignoreConflict);
}

function ignoreConflict(err: unknown): void {
  if ((err as { code?: number }).code !== 409) throw err;
}

/** Polls (every second, bounded) until no pod matching the selector is left in the namespace. */
export async function waitNoPods(kube: BenchKube, namespace: string, labelSelector?: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = await kube.core.listNamespacedPod({ namespace, labelSelector, limit: 1 });
    if (pods.items.length === 0) return;
    if (Date.now() > deadline) throw new Error(`pods still present in ${namespace} after ${timeoutMs / 1000}s`);
    await sleep(1000);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `fn` at most `ms` long: every wait in the bench is bounded. */
export async function withTimeout<T>(what: string, ms: number, fn: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${Math.round(ms / 1000)}s`)), ms);
  });
  try {
    return await Promise.race([fn, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
