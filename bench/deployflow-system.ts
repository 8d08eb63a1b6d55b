// deployflow: each deploy is a workflow run by the worker child process;
// "done" is the workflow's result reaching the client.
import type { Client } from '@temporalio/client';
import { WATCH_LINGER_MS } from '../activities/cluster-watches.js';
import { startDeploy, waitForResult } from '../client/api.js';
import type { BenchKube } from './kube.js';
import { waitNoPods, withTimeout } from './kube.js';
import { appSpec, type Target } from './specs.js';
import type { RolloutRun, System } from './system.js';

export function deployflowSystem(kube: BenchKube, client: Client, environment: string, namespace: string, timeoutMs: number, name: 'deployflow' | 'deployflow-production' = 'deployflow'): System {
  const deploy = async (t: Target, image: string) => {
    const handle = await startDeploy(client, { spec: appSpec(t), environment, image, requestedBy: 'bench' });
    const result = await withTimeout(`deploy ${t.app} ${image}`, timeoutMs, waitForResult(handle));
    if (result.outcome !== 'Succeeded') throw new Error(`deploy ${t.app} ${image}: ${result.outcome}: ${result.message}`);
    return { reportedDoneAt: Date.now(), workflow: { workflowId: handle.workflowId, runId: handle.firstExecutionRunId }, steps: result.steps };
  };
  return {
    name,
    coldAfterMs: WATCH_LINGER_MS + 1000,
    namespace,
    async setup(t, image) {
      await deploy(t, image);
    },
    rollout: (t, image): Promise<RolloutRun> => deploy(t, image),
    async cleanup(t) {
      const rcs = await kube.core.listNamespacedReplicationController({ namespace, labelSelector: `name=${t.app}` });
      for (const rc of rcs.items) {
        await kube.core.deleteNamespacedReplicationController({ name: rc.metadata?.name ?? '', namespace, propagationPolicy: 'Background' });
      }
      await waitNoPods(kube, namespace, `name=${t.app}`);
    },
  };
}
