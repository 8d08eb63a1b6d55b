// What one deploy cost in Temporal, from its workflow history: events,
// activities by type, and where the time went (waiting for pods, other
// activities, and the round trips between them).
import type { Client } from '@temporalio/client';

interface Ts {
  seconds?: { toString(): string } | number | null;
  nanos?: number | null;
}

interface HistoryEvent {
  eventId?: { toString(): string } | number | null;
  eventTime?: Ts | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: { toString(): string } | number | null } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: { toString(): string } | number | null } | null;
  workflowTaskStartedEventAttributes?: object | null;
  markerRecordedEventAttributes?: { markerName?: string | null; details?: Record<string, { payloads?: { data?: Uint8Array | null }[] | null }> | null } | null;
}

interface LocalActivityMarker {
  activity_type?: string;
}

export interface HistoryProfile {
  events: number;
  /** Activities by type; local activities (recorded as markers) as `<type> (local)`. */
  activities: Record<string, number>;
  workflowTasks: number;
  /** ms from the first to the last event. */
  totalMs: number;
  /** ms inside the waiting activities, waitForPods and rollStep (scheduled → completed). */
  waitMs: number;
  /** ms inside the other server-dispatched activities (scheduled → completed). */
  callMs: number;
  /** ms between one activity's completion and the next one's scheduling: workflow task round trips. */
  betweenMs: number;
  /** Mean ms from scheduling an activity to a worker starting it. */
  meanScheduleToStartMs: number;
}

/** The activities that wait for pods: a step's two waits, or a step that is one activity. */
const WAITS = new Set(['waitForPods', 'rollStep']);

const ms = (t: Ts | null | undefined) => (t ? Number(String(t.seconds ?? 0)) * 1000 + (t.nanos ?? 0) / 1e6 : 0);
const id = (v: { toString(): string } | number | null | undefined) => String(v ?? '');

export async function profileHistory(client: Client, workflowId: string, runId: string): Promise<HistoryProfile> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = (history.events ?? []) as HistoryEvent[];
  const scheduled = new Map<string, { type: string; at: number }>();
  const activities: Record<string, number> = {};
  const profile: HistoryProfile = { events: events.length, activities, workflowTasks: 0, totalMs: 0, waitMs: 0, callMs: 0, betweenMs: 0, meanScheduleToStartMs: 0 };
  let lastCompleted: number | undefined;
  let started = 0;
  let scheduleToStart = 0;
  for (const e of events) {
    const at = ms(e.eventTime);
    if (e.workflowTaskStartedEventAttributes) profile.workflowTasks++;
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const type = s.activityType?.name ?? '?';
      activities[type] = (activities[type] ?? 0) + 1;
      scheduled.set(id(e.eventId), { type, at });
      if (lastCompleted !== undefined) profile.betweenMs += at - lastCompleted;
    }
    const st = e.activityTaskStartedEventAttributes;
    if (st) {
      started++;
      scheduleToStart += at - (scheduled.get(id(st.scheduledEventId))?.at ?? at);
    }
    const local = localActivity(e);
    if (local) {
      const type = `${local.activity_type ?? '?'} (local)`;
      // Counted only: their marker's times do not give a duration (they run inside a workflow task).
      activities[type] = (activities[type] ?? 0) + 1;
    }
    const c = e.activityTaskCompletedEventAttributes;
    if (c) {
      const from = scheduled.get(id(c.scheduledEventId));
      if (from) {
        if (WAITS.has(from.type)) profile.waitMs += at - from.at;
        else profile.callMs += at - from.at;
      }
      lastCompleted = at;
    }
  }
  profile.totalMs = events.length ? ms(events[events.length - 1]?.eventTime) - ms(events[0]?.eventTime) : 0;
  profile.meanScheduleToStartMs = started ? scheduleToStart / started : 0;
  return profile;
}

/** How many activities of a profile ran through the server (`local` false) or inside a workflow task (`local` true). */
export function activityCount(profile: HistoryProfile, local: boolean): number {
  return Object.entries(profile.activities).reduce((n, [type, count]) => n + (type.endsWith(' (local)') === local ? count : 0), 0);
}

/** A local activity's marker (Temporal core records `core_local_activity` with JSON details). */
function localActivity(e: HistoryEvent): LocalActivityMarker | undefined {
  const m = e.markerRecordedEventAttributes;
  const data = m?.markerName === 'core_local_activity' ? m.details?.data?.payloads?.[0]?.data : undefined;
  if (!data) return undefined;
  try {
    return JSON.parse(Buffer.from(data).toString('utf8')) as LocalActivityMarker;
  } catch {
    return undefined;
  }
}
