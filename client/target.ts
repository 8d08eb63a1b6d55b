// `NAME --env E [--namespace NS]`: which deploy a command is about. The
// workflow id is derived exactly as the deploy derived it (domain/names.ts).
import { invalidSpec } from '../domain/errors.js';
import { isDnsLabel } from '../domain/labels.js';
import { validateEnvironmentName, workflowIdFor } from '../domain/names.js';
import { appName, required } from './args.js';

export const TARGET_OPTIONS = {
  env: { type: 'string', short: 'e' },
  namespace: { type: 'string', short: 'n' },
} as const;

export interface Target {
  environment: string;
  namespace: string;
  name: string;
  workflowId: string;
}

export function targetOf(command: string, positionals: string[], values: { env?: string; namespace?: string }): Target {
  const name = appName(command, positionals);
  const environment = validateEnvironmentName(required(values.env, '--env', command));
  const namespace = values.namespace ?? 'default';
  // Both end up inside visibility queries and workflow ids: only plain DNS labels pass.
  if (!isDnsLabel(name)) throw invalidSpec('NAME', "must be an app name: lowercase letters, digits and '-'");
  if (!isDnsLabel(namespace)) throw invalidSpec('--namespace', 'must be a Kubernetes namespace name (a DNS-1123 label)');
  return { environment, namespace, name, workflowId: workflowIdFor(environment, namespace, name) };
}
