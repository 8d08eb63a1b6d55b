// Sending an operator update (retry, rollback, pause, resume, approve) to a
// running deploy. The workflow's validators refuse what makes no sense in its
// current phase; a refusal is reported with the workflow's own reason (exit 1).
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { OPERATOR_UPDATES, type OperatorAnswer, type OperatorCommand, type OperatorRequest } from '../workflows/messages.js';
import { deployInfoOf, outcomeOf } from './deploy-info.js';
import { CliError, EXIT } from './errors.js';
import { findDeploy, type FoundDeploy } from './find-deploy.js';
import type { Output } from './output.js';
import type { Target } from './target.js';
import type { TemporalSession } from './temporal.js';

/** An update is answered by the worker; a missing worker must not hang the CLI forever. */
const UPDATE_TIMEOUT_MS = 30_000;

export const OPERATOR_OPTIONS = {
  reason: { type: 'string' },
  'requested-by': { type: 'string' },
} as const;

export async function sendOperatorUpdate(
  session: TemporalSession,
  target: Target,
  command: OperatorCommand,
  request: OperatorRequest,
  out: Output,
): Promise<number> {
  const found = await findDeploy(session, target);
  const outcome = await requestOperatorUpdate(session.client, found, command, request, target.environment);
  if (!outcome.accepted) return refused(out, target, command, outcome.message);
  const { answer } = outcome;
  if (out.isJson) out.document({ workflowId: target.workflowId, command, accepted: true, ...answer });
  else out.line(`${command}: ${answer.message} (phase ${answer.phase})`);
  return EXIT.ok;
}

export type UpdateOutcome = { accepted: true; answer: OperatorAnswer } | { accepted: false; message: string };

/**
 * Sends the update and tells accepted from refused (the validator's reason, or
 * the deploy has ended); the CLI and the Slack app share it. A worker that
 * does not answer in time is a CliError (exit 4).
 */
export async function requestOperatorUpdate(
  client: Client,
  { handle, description }: FoundDeploy,
  command: OperatorCommand,
  request: OperatorRequest,
  environment: string,
): Promise<UpdateOutcome> {
  if (description.status.name !== 'RUNNING') {
    return { accepted: false, message: `the deploy has ended (${outcomeOf(deployInfoOf(description))}); there is nothing to ${command}` };
  }
  try {
    const answer = await client.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, () => handle.executeUpdate(OPERATOR_UPDATES[command], { args: [request] }));
    return { accepted: true, answer };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return { accepted: false, message: err.cause?.message ?? err.message };
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isDeadline(err)) {
      throw new CliError(
        `no answer to ${command} within ${UPDATE_TIMEOUT_MS / 1000}s: is the worker of ${environment} running? ` +
          '(the request may still be delivered when it starts)',
        EXIT.unreachable,
      );
    }
    throw err;
  }
}

function refused(out: Output, target: Target, command: OperatorCommand, message: string): number {
  if (out.isJson) out.document({ workflowId: target.workflowId, command, accepted: false, message });
  out.note(`${command} refused: ${message}`);
  return EXIT.failed;
}

function isDeadline(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === 4 /* gRPC DEADLINE_EXCEEDED */;
}
