// Which label policy a command enforces: `--label-policy FILE`, then
// $DEPLOYFLOW_LABEL_POLICY, then the seed's conventions. A broken policy file is
// invalid input (exit 2) naming the file and the path inside it.
import fs from 'node:fs';
import yaml from 'js-yaml';
import { InvalidSpecError } from '../domain/errors.js';
import { DEFAULT_LABEL_POLICY, validateLabelPolicy, type LabelPolicy } from '../domain/label-policy.js';

export const LABEL_POLICY_ENV = 'DEPLOYFLOW_LABEL_POLICY';

/** Policies are a screenful of YAML, like app specs. */
const MAX_POLICY_BYTES = 64 * 1024;

export const LABEL_POLICY_OPTIONS = {
  'label-policy': { type: 'string' },
} as const;

export const LABEL_POLICY_HELP = `      --label-policy FILE  the organisation's label policy (default: $${LABEL_POLICY_ENV},
                           else the seed's conventions: name/app/tier/role required)`;

export interface ResolvedLabelPolicy {
  policy: LabelPolicy;
  /** Where it came from; `default` means no policy was configured. */
  source: 'flag' | 'env' | 'default';
  file?: string;
}

export function resolveLabelPolicy(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): ResolvedLabelPolicy {
  if (flag !== undefined && flag !== '') return { policy: loadLabelPolicyFile(flag), source: 'flag', file: flag };
  const fromEnv = env[LABEL_POLICY_ENV];
  if (fromEnv) return { policy: loadLabelPolicyFile(fromEnv), source: 'env', file: fromEnv };
  return { policy: DEFAULT_LABEL_POLICY, source: 'default' };
}

/** The policy to send with a deploy: only a configured one (the default adds nothing to spec validation). */
export function configuredPolicy(resolved: ResolvedLabelPolicy): LabelPolicy | undefined {
  return resolved.source === 'default' ? undefined : resolved.policy;
}

export function loadLabelPolicyFile(file: string): LabelPolicy {
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_POLICY_BYTES) throw tooLarge(file);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InvalidSpecError) throw err;
    throw new InvalidSpecError([{ field: file, rule: 'no such label policy file' }]);
  }
  return parseLabelPolicyText(text, file);
}

export function parseLabelPolicyText(text: string, source = 'label policy'): LabelPolicy {
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
    return validateLabelPolicy(raw);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    // `policy.yaml:required.tier.values[1]: must be ...`: the file, then where in it.
    throw new InvalidSpecError(err.issues.map((i) => ({ field: `${source}:${i.field}`, rule: i.rule })));
  }
}

function tooLarge(file: string): InvalidSpecError {
  return new InvalidSpecError([{ field: file, rule: `must be at most ${MAX_POLICY_BYTES / 1024} KiB` }]);
}
