// The worker's policy (domain/worker-policy.ts): `--policy FILE`, then
// $DEPLOYFLOW_WORKER_POLICY, then DEFAULT_WORKER_POLICY. The worker reads it once
// at start: a broken file stops it before it polls (exit 2), naming the file and
// the path inside it, so a typo never leaves a worker running on the defaults.
// validate, render and deploy read the same file to refuse early (exit 2) what
// the worker would refuse; the worker checks again whatever the client said.
import { parseYamlDocument, readBoundedFile } from './yaml-file.js';
import { DEFAULT_WORKER_POLICY, parseWorkerPolicy, type WorkerPolicy } from '../domain/worker-policy.js';

export const WORKER_POLICY_ENV = 'DEPLOYFLOW_WORKER_POLICY';

/** A policy is a screenful of YAML. */
const MAX_POLICY_BYTES = 64 * 1024;

export interface ResolvedWorkerPolicy {
  policy: WorkerPolicy;
  /** The file it came from; absent for the default. */
  file?: string;
}

export function resolveWorkerPolicy(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): ResolvedWorkerPolicy {
  const file = flag || env[WORKER_POLICY_ENV] || undefined;
  return file === undefined ? { policy: structuredClone(DEFAULT_WORKER_POLICY) } : { policy: loadWorkerPolicyFile(file), file };
}

export function loadWorkerPolicyFile(file: string): WorkerPolicy {
  return parseWorkerPolicyText(readBoundedFile(file, MAX_POLICY_BYTES, 'no such worker policy file'), file);
}

export function parseWorkerPolicyText(text: string, source = 'worker policy'): WorkerPolicy {
  return parseYamlDocument(text, source, MAX_POLICY_BYTES, parseWorkerPolicy);
}

export const WORKER_POLICY_OPTIONS = {
  policy: { type: 'string' },
} as const;

export const WORKER_POLICY_HELP = `      --policy FILE        the target worker's policy, checked here as the worker will
                           (default: $${WORKER_POLICY_ENV}, else the built-in default policy)`;
