// A deploy as Temporal's visibility store sees it: the execution's status and
// times plus the search attributes the workflow keeps up to date. Enough for
// list, history and status when no worker can answer the progress query.
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { isPhase, isTerminalPhase } from '../domain/phases.js';
import { parseWorkflowId } from '../domain/names.js';
import { searchAttributeKeys } from '../workflows/messages.js';

export interface DeployInfo {
  workflowId: string;
  runId: string;
  app: string;
  environment: string;
  namespace: string;
  image: string;
  phase: string;
  requestedBy: string;
  /** RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, ... */
  status: string;
  startTime: string;
  closeTime?: string;
}

/** What both list() entries and describe() results carry (their `raw` differs). */
type ExecutionFields = Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'status' | 'startTime' | 'closeTime' | 'typedSearchAttributes'>;

export function deployInfoOf(info: ExecutionFields): DeployInfo {
  const attr = (key: (typeof searchAttributeKeys)[keyof typeof searchAttributeKeys]) => info.typedSearchAttributes.get(key) ?? '';
  const target = parseWorkflowId(info.workflowId);
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    app: attr(searchAttributeKeys.app) || (target?.name ?? ''),
    environment: attr(searchAttributeKeys.environment) || (target?.environment ?? ''),
    namespace: target?.namespace ?? '',
    image: attr(searchAttributeKeys.image),
    phase: attr(searchAttributeKeys.phase),
    requestedBy: attr(searchAttributeKeys.requestedBy),
    status: info.status.name,
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString(),
  };
}

/**
 * How a deploy ended, in one word: its last phase when that is a final one;
 * otherwise (cancelled by a superseding deploy, terminated, timed out) the
 * execution status says more than the phase it was interrupted in.
 */
export function outcomeOf(d: DeployInfo): string {
  if (d.status === 'RUNNING') return d.phase || 'Running';
  if (isPhase(d.phase) && isTerminalPhase(d.phase)) return d.phase;
  return d.status.toLowerCase().replace(/_/g, ' ');
}
