// `deployctl reset`: Temporal's Reset, aimed at the start of a rollout step.
// A deploy may span several runs (it continues as new on long rollouts), so
// the run that began step N is found by walking the chain back from the
// latest run; that run is reset to the workflow task that planned the step
// (steps taken back to back: the task that scheduled the activity that took
// it; the activities' results, opened with the client's codec, say which).
// Operator decisions sent after that point (signals, updates) are not
// replayed: the deploy stands as it did when step N began, and the step plans
// from what the cluster runs now.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { openPayloadsInPlace } from '../codec/open-payloads.js';
import Long from 'long';
import type { temporal } from '@temporalio/proto';
import { namesSteps, resetPointOf, stepsBegun, type ScheduledActivity } from '../domain/reset-point.js';
import { DEPLOY_WORKFLOW } from '../workflows/messages.js';
import { CliError, EXIT } from './errors.js';
import { findDeploy } from './find-deploy.js';
import type { Target } from './target.js';
import type { TemporalSession } from './temporal.js';

// Numeric values of temporal.api.enums.v1 (only the type of @temporalio/proto is a dependency here).
const RESET_REAPPLY_TYPE_NONE = 2;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL = 1;
const RESET_REAPPLY_EXCLUDE_TYPE_UPDATE = 2;

export interface ResetRequest {
  step: number;
  reason?: string;
  requestedBy: string;
}

export interface ResetDone {
  workflowId: string;
  /** The run that began the step, and the WorkflowTaskCompleted event it was reset to. */
  resetRunId: string;
  eventId: number;
  /** The run the reset started. */
  runId: string;
  reason: string;
}

export async function resetDeploy(session: TemporalSession, target: Target, request: ResetRequest): Promise<ResetDone> {
  const { description } = await findDeploy(session, target);
  if (description.type !== DEPLOY_WORKFLOW) throw refused(target, request.step, `${target.workflowId} is a ${description.type} workflow, not a deploy`);
  const found = await runThatBegan(session.client, target, description.runId, request.step);
  const reason = `deployctl reset --to-step ${request.step} by ${request.requestedBy}${request.reason ? `: ${request.reason}` : ''}`;
  const response = await session.client.workflowService.resetWorkflowExecution({
    namespace: session.namespace,
    workflowExecution: { workflowId: target.workflowId, runId: found.runId },
    reason,
    workflowTaskFinishEventId: Long.fromNumber(found.eventId),
    requestId: randomUUID(),
    resetReapplyType: RESET_REAPPLY_TYPE_NONE,
    resetReapplyExcludeTypes: [RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL, RESET_REAPPLY_EXCLUDE_TYPE_UPDATE],
  });
  return { workflowId: target.workflowId, resetRunId: found.runId, eventId: found.eventId, runId: response.runId ?? '', reason };
}

/** Walks the runs of the latest deploy back from `runId` to the one that began `step`. */
async function runThatBegan(client: Client, target: Target, runId: string, step: number): Promise<{ runId: string; eventId: number }> {
  const ran: number[] = [];
  for (let run: string | undefined = runId; run; ) {
    const history = await client.workflow.getHandle(target.workflowId, run).fetchHistory();
    await openPayloadsInPlace(history, client.options.loadedDataConverter.payloadCodecs);
    const events: HistoryEvent[] = history.events ?? [];
    const began = stepsBegunByEachCall(events, (p) => client.options.loadedDataConverter.payloadConverter.fromPayload(p));
    const scheduled: ScheduledActivity[] = events.flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      const steps = began.get(Number(e.eventId ?? 0));
      return a?.activityId ? [{ activityId: a.activityId, workflowTaskCompletedEventId: Number(a.workflowTaskCompletedEventId ?? 0), ...(steps && { steps }) }] : [];
    });
    const point = resetPointOf(scheduled, step);
    if ('eventId' in point) return { runId: run, eventId: point.eventId };
    if (!namesSteps(scheduled) && scheduled.length > 0 && ran.length === 0) {
      throw refused(target, step, 'it started before reset-safe rollouts (its steps would replay old counts); deploy again instead');
    }
    ran.unshift(...stepsBegun(scheduled));
    run = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  }
  const begun = [...new Set(ran)].sort((a, b) => a - b);
  throw refused(target, step, begun.length ? `it has steps ${begun[0]}–${begun[begun.length - 1]}` : 'it began no rollout step (it ended before its rollout, or had nothing to do)');
}

/**
 * How many steps each step activity that took steps back to back began, by its
 * scheduled event: those its result counts, and one more it stopped in the
 * middle of (a pause) or stalled in. A call still running began at least its first.
 */
function stepsBegunByEachCall(events: HistoryEvent[], read: (p: Payload) => unknown): Map<number, number> {
  const began = new Map<number, number>();
  const field = (v: unknown, key: string) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined);
  for (const e of events) {
    const completed = e.activityTaskCompletedEventAttributes;
    const failed = e.activityTaskFailedEventAttributes;
    const payload = completed?.result?.payloads?.[0] ?? failed?.failure?.applicationFailureInfo?.details?.payloads?.[0];
    if (!payload) continue;
    let value: unknown;
    try {
      value = read(payload as Payload);
    } catch {
      continue; // without the keys: one step a call, as before steps ran back to back
    }
    const steps = completed ? field(value, 'steps') : field(value, 'stepsDone');
    if (typeof steps !== 'number') continue;
    const more = failed || field(value, 'unfinished') ? 1 : 0;
    began.set(Number((completed ?? failed)!.scheduledEventId ?? 0), steps + more);
  }
  return began;
}

function refused(target: Target, step: number, why: string): CliError {
  return new CliError(`cannot reset ${target.workflowId} to step ${step}: ${why}`, EXIT.invalidInput);
}
