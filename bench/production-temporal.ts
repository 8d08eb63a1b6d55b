// deployflow's side of the concurrency bench on the production topology's
// Temporal server (PostgreSQL, JWT authorization: stack/production.ts) instead of
// the dev server, in the same run and on the same bench cluster: only Temporal
// differs. The worker polls the bench's task queue in namespace `production`
// with worker-production's token; the bench's client is the operator.
import { Client, Connection } from '@temporalio/client';
import { mintToken } from '../stack/jwt.js';
import { productionFiles } from '../stack/production-layout.js';
import { readProductionState, upProduction } from '../stack/production.js';

export interface ProductionTemporal {
  address: string;
  namespace: string;
  workerToken: string;
  client: Client;
  connection: Connection;
  /** temporal-server and the PostgreSQL postmaster (its backends are children, not counted). */
  pids: { temporal: number; postgres: number };
}

export async function productionTemporal(): Promise<ProductionTemporal> {
  const info = await upProduction();
  const state = readProductionState()!;
  const keys = productionFiles().keys;
  const connection = await Connection.connect({ address: info.temporalAddress, apiKey: await mintToken(keys, 'operator'), tls: false });
  return {
    address: info.temporalAddress,
    namespace: 'production',
    workerToken: await mintToken(keys, 'worker-production'),
    client: new Client({ connection, namespace: 'production' }),
    connection,
    pids: { temporal: state.pids['temporal-server']!, postgres: state.pids.postgres! },
  };
}
