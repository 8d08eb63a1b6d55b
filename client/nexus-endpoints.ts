// The Nexus endpoints releases reach environments through: deploy-<env> →
// (the namespace of env's Temporal profile, task queue deploy-<env>), where that
// environment's worker handles the deploy service. Endpoints belong to the
// Temporal cluster, not to a namespace: creating them needs cluster admin.
import type { Connection } from '@temporalio/client';
import { nexusEndpointFor } from '../domain/release-plan.js';
import { taskQueueFor } from '../domain/names.js';

export interface EndpointWanted {
  environment: string;
  namespace: string;
}

export interface EndpointReport {
  name: string;
  namespace: string;
  taskQueue: string;
  state: 'created' | 'existing' | 'updated';
}

/** Creates each missing endpoint, points a drifted one back at its environment; an existing right one is left alone. */
export async function ensureNexusEndpoints(connection: Connection, wanted: readonly EndpointWanted[]): Promise<EndpointReport[]> {
  const reports: EndpointReport[] = [];
  for (const { environment, namespace } of wanted) {
    const name = nexusEndpointFor(environment);
    const taskQueue = taskQueueFor(environment);
    const spec = { name, target: { worker: { namespace, taskQueue } } };
    const { endpoints } = await connection.operatorService.listNexusEndpoints({ name, pageSize: 1 });
    const found = endpoints?.[0];
    if (!found) {
      await connection.operatorService.createNexusEndpoint({ spec });
      reports.push({ name, namespace, taskQueue, state: 'created' });
      continue;
    }
    const target = found.spec?.target?.worker;
    if (target?.namespace === namespace && target?.taskQueue === taskQueue) {
      reports.push({ name, namespace, taskQueue, state: 'existing' });
      continue;
    }
    await connection.operatorService.updateNexusEndpoint({ id: found.id, version: found.version, spec });
    reports.push({ name, namespace, taskQueue, state: 'updated' });
  }
  return reports;
}
