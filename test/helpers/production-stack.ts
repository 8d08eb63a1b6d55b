// The production topology for tests: reuse a running one or bring it up (which
// fails the test with every log when it cannot). Each principal's Temporal
// settings are its own envconfig file; nothing of the test process's TEMPORAL_*
// or KUBECONFIG leaks into a deployctl run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stackFiles } from '../../stack/layout.js';
import { ENVIRONMENTS, upProduction, workerKubeconfig, type Environment, type ProductionInfo } from '../../stack/production.js';
import { clusterDir, principalConfigFile, productionFiles } from '../../stack/production-layout.js';
import type { Principal } from '../../stack/jwt.js';
import { kubectl } from '../../stack/nodes.js';
import { AuditLog } from './audit.js';

let pending: Promise<ProductionInfo> | undefined;

export function useProductionStack(): Promise<ProductionInfo> {
  pending ??= upProduction();
  return pending;
}

/** deployctl's environment as `principal`: its profiles, one per environment, and nothing else. */
export function principalEnv(principal: Principal): Record<string, string> {
  return { TEMPORAL_CONFIG_FILE: principalConfigFile(productionFiles(), principal), DEPLOYFLOW_CONNECT_TIMEOUT: '10', USER: principal };
}

export interface ClusterHandle {
  environment: Environment;
  kubeconfig: string;
  workerKubeconfig: string;
  audit: AuditLog;
  kubectl(args: string[]): Promise<string>;
}

export function cluster(info: ProductionInfo, environment: Environment): ClusterHandle {
  const files = stackFiles(clusterDir(productionFiles(), environment));
  return {
    environment,
    kubeconfig: files.kubeconfig,
    workerKubeconfig: workerKubeconfig(productionFiles(), environment),
    audit: new AuditLog({ logDir: files.logs }),
    kubectl: (args) => kubectl(info.state.binDir, files.kubeconfig, args),
  };
}

export const clusters = (info: ProductionInfo) => ENVIRONMENTS.map((e) => cluster(info, e));
/**
 * examples/awesome-api.yaml under a name and app label of its own (in a temp
 * folder), so tests on a reused topology never meet an earlier run's deploys.
 */
export function uniqueApp(prefix: string): { spec: string; name: string; app: string } {
  const suffix = crypto.randomBytes(3).toString('hex');
  const name = `${prefix}-${suffix}`;
  const app = `app-${suffix}`;
  const source = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'examples', 'awesome-api.yaml'), 'utf8');
  const text = source.replace(/^name: .*$/m, `name: ${name}`).replace(/^app: .*$/m, `app: ${app}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployflow-production-'));
  const spec = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(spec, text);
  return { spec, name, app };
}
