// Where the local stack keeps its binaries (outside the clone, shared by every
// clone on this machine) and its runtime state (inside the clone, gitignored).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function stackDir(): string {
  return process.env.DEPLOYFLOW_STACK_DIR ?? path.join(repoRoot, '.stack');
}

export function cacheDir(): string {
  return process.env.DEPLOYFLOW_STACK_CACHE ?? path.join(os.homedir(), '.cache', 'deployflow-stack');
}

/** Files of a running stack, all under stackDir(). */
export function stackFiles(dir = stackDir()) {
  return {
    dir,
    state: path.join(dir, 'state.json'),
    env: path.join(dir, 'env'),
    kubeconfig: path.join(dir, 'kubeconfig'),
    logs: path.join(dir, 'logs'),
    pki: path.join(dir, 'pki'),
    etcdData: path.join(dir, 'etcd'),
    temporalDb: path.join(dir, 'temporal.db'),
    stages: path.join(dir, 'kwok-stages.yaml'),
    codecKeys: path.join(dir, 'codec-keys'),
    codecToken: path.join(dir, 'codec-token'),
  };
}

export type StackFiles = ReturnType<typeof stackFiles>;
