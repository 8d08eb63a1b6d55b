// A deploy's history read as marks (activities scheduled or done, phases
// upserted, failures) and polled for one: what the fault tests and the
// operators test look for. Apart from the fault harness, because importing that
// points the process at the fault stack (fault-stack.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { Phase } from '../../domain/phases.js';
import { openPayloadsInPlace } from '../../codec/open-payloads.js';

/**
 * A point in a deploy's history: `activity:<type>` when scheduled (a local activity: when done),
 * `phase:<Phase>` when upserted, `failed:<type>` when an activity failed for good.
 */
export type Mark = `activity:${string}` | `phase:${Phase}` | `failed:${string}`;

export interface HistoryView {
  marks: Mark[];
  /** Identities of the workers that completed workflow tasks, in order. */
  workflowTaskIdentities: string[];
  /** Messages of failed workflow tasks (a non-determinism error would show here). */
  workflowTaskFailures: string[];
  closed: boolean;
}

export async function historyView(handle: WorkflowHandle): Promise<HistoryView> {
  const history = await handle.fetchHistory();
  // Marker details are encrypted like every payload: open them with the handle's codecs.
  await openPayloadsInPlace(history, handle.client.options.loadedDataConverter.payloadCodecs);
  const view: HistoryView = { marks: [], workflowTaskIdentities: [], workflowTaskFailures: [], closed: false };
  for (const e of history.events ?? []) {
    const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (activity) view.marks.push(`activity:${activity}`);
    // A local activity (the scale) shows up only as a marker, once it has completed.
    const local = e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? e.markerRecordedEventAttributes.details?.data?.payloads?.[0]?.data : undefined;
    if (local) view.marks.push(`activity:${(JSON.parse(Buffer.from(local).toString('utf8')) as { activity_type?: string }).activity_type ?? 'local'}`);
    const phase = (e.upsertWorkflowSearchAttributesEventAttributes ?? e.workflowExecutionStartedEventAttributes)?.searchAttributes?.indexedFields?.DeployPhase;
    if (phase?.data) view.marks.push(`phase:${JSON.parse(Buffer.from(phase.data).toString('utf8')) as Phase}`);
    const failedActivity = e.activityTaskFailedEventAttributes?.failure;
    if (failedActivity) view.marks.push(`failed:${failedActivity.applicationFailureInfo?.type ?? failedActivity.cause?.applicationFailureInfo?.type ?? 'unknown'}`);
    const completed = e.workflowTaskCompletedEventAttributes?.identity;
    if (completed) view.workflowTaskIdentities.push(completed);
    const failed = e.workflowTaskFailedEventAttributes;
    if (failed) view.workflowTaskFailures.push(`${failed.cause ?? ''} ${failed.failure?.message ?? ''}`.trim());
    if (
      e.workflowExecutionCompletedEventAttributes ||
      e.workflowExecutionFailedEventAttributes ||
      e.workflowExecutionCanceledEventAttributes ||
      e.workflowExecutionTerminatedEventAttributes ||
      e.workflowExecutionTimedOutEventAttributes
    ) {
      view.closed = true;
    }
  }
  return view;
}

export function lastPhase(marks: Mark[]): Phase | undefined {
  for (let i = marks.length - 1; i >= 0; i--) {
    const m = marks[i]!;
    if (m.startsWith('phase:')) return m.slice('phase:'.length) as Phase;
  }
  return undefined;
}

export function lastActivity(marks: Mark[]): string | undefined {
  for (let i = marks.length - 1; i >= 0; i--) {
    const m = marks[i]!;
    if (m.startsWith('activity:')) return m.slice('activity:'.length);
  }
  return undefined;
}

/** The `nth` (1-based) occurrence of `mark`, counted from the first `after` mark (or the start). */
export interface Trigger {
  mark: Mark;
  nth?: number;
  after?: Mark;
}

export function triggered(marks: Mark[], trigger: Trigger): boolean {
  let from = 0;
  if (trigger.after) {
    from = marks.indexOf(trigger.after);
    if (from < 0) return false;
  }
  const seen = marks.slice(from).filter((m) => m === trigger.mark).length;
  return seen >= (trigger.nth ?? 1);
}

/** Polls the deploy's history (no worker needed: it works while the worker is dead) until `trigger` or the end. */
export async function waitForMark(handle: WorkflowHandle, trigger: Trigger, timeoutMs = 180_000): Promise<HistoryView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await historyView(handle).catch(() => undefined);
    if (view && (triggered(view.marks, trigger) || view.closed)) return view;
    if (Date.now() > deadline) throw new Error(`no ${trigger.mark} #${trigger.nth ?? 1} within ${timeoutMs / 1000}s`);
    // Short: a rollback whose old RC was never shrunk is over within a few hundred ms of its
    // phase showing up, and a kill "as it begins" must see it first (missed once in 74 runs).
    await sleep(25);
  }
}
