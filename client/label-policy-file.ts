// Which label policy a command enforces: `--label-policy FILE`, then
// $DEPLOYFLOW_LABEL_POLICY, then the seed's conventions. A broken policy file is
// invalid input (exit 2) naming the file and the path inside it.
import { parseYamlDocument, readBoundedFile } from './yaml-file.js';
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
  return parseLabelPolicyText(readBoundedFile(file, MAX_POLICY_BYTES, 'no such label policy file'), file);
}

export function parseLabelPolicyText(text: string, source = 'label policy'): LabelPolicy {
  return parseYamlDocument(text, source, MAX_POLICY_BYTES, validateLabelPolicy);
}
