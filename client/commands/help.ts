// The general usage: every command in one screen, how to configure the
// connection, and what the exit codes mean.
import type { Command } from '../command.js';

const WORKER_SUMMARY = 'run the deploy worker of an environment, next to its cluster';

export function generalUsage(commands: readonly Command[]): string {
  const rows: Array<[string, string]> = [...commands.map((c): [string, string] => [c.name, c.summary]), ['worker', WORKER_SUMMARY]];
  const width = Math.max(...rows.map(([name]) => name.length));
  return `deployctl: durable Kubernetes deploys on Temporal

Usage: deployctl <command> [options]      deployctl <command> --help for details

Commands:
${rows.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`).join('\n')}

Common options: -o/--output text|json (json prints one document on stdout), -h/--help

Temporal connection (as Temporal's own tools): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE;
DEPLOYFLOW_CONNECT_TIMEOUT (seconds, default 10).
Temporal UI links: set DEPLOYFLOW_TEMPORAL_UI (e.g. http://localhost:8233).
Payload encryption: DEPLOYFLOW_CODEC_KEYS (id:base64key,..., the first one current)
or DEPLOYFLOW_CODEC_KEY_FILE; without keys payloads travel in clear text.

Exit codes: 0 succeeded or nothing to do, 1 failed or rolled back, 2 invalid input,
3 another deploy of this app is running, 4 cannot reach Temporal or the cluster.`;
}

export const WORKER_USAGE = `deployctl worker --env E [--policy FILE] [--context KUBE_CONTEXT] [--kubeconfig FILE] [--namespace NS]...

${WORKER_SUMMARY}. It is started by bin/deployctl.js (npx deployctl worker ...),
which runs worker/main.ts; see deployctl worker --help there.`;
