// The worker's policy (domain/worker-policy.ts): `--policy FILE`, then
// $DEPLOYFLOW_WORKER_POLICY, then DEFAULT_WORKER_POLICY. The worker reads it once
// at start: a broken file stops it before it polls (exit 2), naming the file and
// the path inside it, so a typo never leaves a worker running on the defaults.
// validate, render and deploy read the same file to refuse early (exit 2) what
// the worker would refuse; the worker checks again whatever the client said.
import fs from 'node:fs';
import yaml from 'js-yaml';
import { InvalidSpecError } from '../domain/errors.js';
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
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_POLICY_BYTES) throw tooLarge(file);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InvalidSpecError) throw err;
    throw new InvalidSpecError([{ field: file, rule: 'no such worker policy file' }]);
  }
  return parseWorkerPolicyText(text, file);
}

export function parseWorkerPolicyText(text: string, source = 'worker policy'): WorkerPolicy {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw tooLarge(source);
  let raw: unknown;
  try {
    raw = yaml.load(text, { filename: source, schema: yaml.CORE_SCHEMA });
  } catch (err) {
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    const where = mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : '';
    const reason = (err as { reason?: string }).reason ?? (err as Error).message;
    throw new InvalidSpecError([{ field: source, rule: `is not valid YAML${where}: ${reason}` }]);
  }
  try {
    return parseWorkerPolicy(raw);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    throw new InvalidSpecError(err.issues.map((i) => ({ field: `${source}:${i.field}`, rule: i.rule })));
  }
}

export const WORKER_POLICY_OPTIONS = {
  policy: { type: 'string' },
} as const;

export const WORKER_POLICY_HELP = `      --policy FILE        the target worker's policy, checked here as the worker will
                           (default: $${WORKER_POLICY_ENV}, else the built-in default policy)`;

function tooLarge(file: string): InvalidSpecError {
  return new InvalidSpecError([{ field: file, rule: `must be at most ${MAX_POLICY_BYTES / 1024} KiB` }]);
}
