// The baseline: a Deployment rolled by kube-controller-manager's Deployment
// controller. "Done" is what `kubectl rollout status` waits for.
import { Watch, type V1Deployment } from '@kubernetes/client-node';
import { waitNoPods, withTimeout, type BenchKube } from './kube.js';
import { deploymentManifest, type Target } from './specs.js';
import type { RolloutRun, System } from './system.js';

export function deploymentSystem(kube: BenchKube, namespace: string, timeoutMs: number): System {
  return {
    name: 'deployment',
    // The controller's informers are always warm: that is how it runs.
    coldAfterMs: 0,
    namespace,
    async setup(t, image) {
      const created = await kube.apps.createNamespacedDeployment({ namespace, body: deploymentManifest(t, image) });
      await withTimeout(`deployment ${t.app} v1`, timeoutMs, complete(kube, created));
    },
    async rollout(t, image): Promise<RolloutRun> {
      // An unconditional update (no resourceVersion): one request, like `kubectl apply` of a new image.
      const updated = await kube.apps.replaceNamespacedDeployment({ name: t.app, namespace, body: deploymentManifest(t, image) });
      return { reportedDoneAt: await withTimeout(`deployment ${t.app} rollout`, timeoutMs, complete(kube, updated)) };
    },
    async cleanup(t: Target) {
      await kube.apps.deleteNamespacedDeployment({ name: t.app, namespace, propagationPolicy: 'Background' });
      await waitNoPods(kube, namespace, `name=${t.app}`);
    },
  };
}

/** Resolves (ms epoch) when the Deployment has rolled out `from`'s generation completely. */
function complete(kube: BenchKube, from: V1Deployment): Promise<number> {
  const namespace = from.metadata?.namespace ?? '';
  const name = from.metadata?.name ?? '';
  const generation = from.metadata?.generation ?? 0;
  return new Promise((resolve, reject) => {
    let abort: AbortController | undefined;
    let finished = false;
    const check = (d: V1Deployment) => {
      const s = d.status ?? {};
      const want = d.spec?.replicas ?? 0;
      const done =
        (s.observedGeneration ?? 0) >= generation && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want;
      if (done && !finished) {
        finished = true;
        abort?.abort();
        resolve(Date.now());
      }
    };
    new Watch(kube.kc)
      .watch(
        `/apis/apps/v1/namespaces/${namespace}/deployments`,
        { fieldSelector: `metadata.name=${name}`, resourceVersion: from.metadata?.resourceVersion },
        (_type: string, d: V1Deployment) => check(d),
        (err: unknown) => {
          if (!finished) reject(new Error(`watch of deployment ${name} ended: ${String(err)}`));
        },
      )
      .then((a) => {
        abort = a;
        if (finished) a.abort();
      }, reject);
  });
}
