// Live pod counts of a running deploy. The waitForPods activity (and the
// rollStep activity, steps in one, which adds the side it awaits and the steps
// it took, from its first second on) heartbeats what it sees on every pod change, at
// most once a second (a step on a worker running more than ten: less often, at
// least every five seconds); describe() hands back the latest heartbeat, so the CLI
// shows the cluster's counts between the workflow's own (coarser) progress
// updates without any cluster credentials. describe() hands payloads back as
// stored: encrypted, so they are opened with the client's codec first.
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { openPayloadsInPlace } from '../codec/open-payloads.js';

import type { PodCounts } from '../domain/pods.js';

export type { PodCounts, PodProblem } from '../domain/pods.js';

const WAIT_ACTIVITIES = new Set(['waitForPods', 'rollStep']);

/**
 * A wait's counts; a step activity's also say which side it awaits and what for,
 * and, taking steps back to back, how many it has taken and both sides' sizes.
 */
export type LivePodCounts = PodCounts & {
  side?: 'new' | 'old';
  awaiting?: string;
  stepsDone?: number;
  sides?: Record<'new' | 'old', { replicas: number; available: number }>;
};

export async function waitingPodCounts(client: { options: Pick<Client['options'], 'loadedDataConverter'> }, description: WorkflowExecutionDescription): Promise<LivePodCounts | undefined> {
  for (const activity of description.raw.pendingActivities ?? []) {
    if (!WAIT_ACTIVITIES.has(activity.activityType?.name ?? '')) continue;
    const stored = activity.heartbeatDetails?.payloads?.[0];
    if (!stored) continue;
    try {
      const payload = { metadata: { ...stored.metadata }, data: stored.data };
      await openPayloadsInPlace(payload, client.options.loadedDataConverter.payloadCodecs);
      const value: unknown = client.options.loadedDataConverter.payloadConverter.fromPayload(payload);
      if (isPodCounts(value)) return value as LivePodCounts;
    } catch {
      // A payload we cannot decode (a codec we do not have) just means no live counts.
    }
  }
  return undefined;
}

function isPodCounts(v: unknown): v is PodCounts {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return ['total', 'ready', 'available', 'terminating'].every((k) => typeof o[k] === 'number') && Array.isArray(o.problems);
}
