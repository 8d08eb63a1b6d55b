// Where the production topology keeps its runtime state: a folder of its own
// (gitignored), so it runs next to the dev stack without touching it.
import path from 'node:path';
import { repoRoot } from './layout.js';

export function productionStackDir(): string {
  return process.env.DEPLOYFLOW_PRODUCTION_STACK_DIR ?? path.join(repoRoot, '.stack-production');
}

export function productionFiles(dir = productionStackDir()) {
  return {
    dir,
    state: path.join(dir, 'state.json'),
    env: path.join(dir, 'env'),
    logs: path.join(dir, 'logs'),
    /** The JWT signing key and the JWKS Temporal reads. */
    keys: path.join(dir, 'jwt'),
    /** One Temporal client config (TOML profiles) per principal. */
    principals: path.join(dir, 'temporal'),
    uiConfig: path.join(dir, 'ui-config'),
    clusters: path.join(dir, 'clusters'),
  };
}

export type ProductionFiles = ReturnType<typeof productionFiles>;

/** One control plane's folder: laid out like the dev stack's (stack/layout.ts stackFiles). */
export const clusterDir = (files: ProductionFiles, environment: string) => path.join(files.clusters, environment);

export const principalConfigFile = (files: ProductionFiles, principal: string) => path.join(files.principals, `${principal}.toml`);
