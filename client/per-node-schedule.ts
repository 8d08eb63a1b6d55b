// Per-node agents follow the nodes through one Temporal Schedule per app and
// environment, created with the app's first deploy (DESIGN.md §6).
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { scheduleIdFor, taskQueueFor } from '../domain/names.js';
import type { PerNodeTarget } from '../workflows/messages.js';

/** How often the node count is checked: DEPLOYFLOW_PER_NODE_INTERVAL (a Temporal duration), else a minute. */
export function perNodeInterval(env: Readonly<Record<string, string | undefined>> = process.env): Duration {
  // Checked by the server when the schedule is created; the type only says it is meant as a duration.
  return (env.DEPLOYFLOW_PER_NODE_INTERVAL ?? '1m') as Duration;
}

/** Creates the schedule unless it exists; returns its id. */
export async function ensurePerNodeSchedule(client: Client, target: PerNodeTarget, every = perNodeInterval()): Promise<string> {
  const scheduleId = scheduleIdFor(target.environment, target.namespace, target.name);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'reconcilePerNode',
        taskQueue: taskQueueFor(target.environment),
        args: [target],
      },
      // One check at a time; a slow resize simply skips the next tick.
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { note: `keeps ${target.name} at one pod per schedulable node in ${target.environment}` },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  return scheduleId;
}
