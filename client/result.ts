// How a finished deploy is reported, and what exit code it earns.
import type { DeployResult, Outcome } from '../workflows/messages.js';
import { EXIT } from './errors.js';
import type { Output } from './output.js';

// Superseded is a success for CI: a newer request of the same app runs instead, so nothing is worth retrying.
const SUCCESSFUL: readonly Outcome[] = ['Succeeded', 'Unchanged', 'Scaled', 'Superseded'];

export function exitCodeFor(outcome: Outcome): number {
  return SUCCESSFUL.includes(outcome) ? EXIT.ok : EXIT.failed;
}

export function printResult(out: Output, result: DeployResult, uiUrl: string | undefined): void {
  if (out.isJson) {
    out.document({ ...result, uiUrl });
    return;
  }
  out.line(`${result.outcome}: ${result.message}`);
  if (result.reason) out.line(`  reason:   ${result.reason}`);
  out.line(`  workflow: ${result.workflowId}`);
  if (uiUrl) out.line(`  ui:       ${uiUrl}`);
}
