// Where `deployctl reset --to-step N` resets a deploy: the workflow task that
// began step N. Reset-safe rollouts name every wait after its step
// (`step-3-new`, `rollback-2-old`; a step that is one activity: `step-3`) in
// the activity id, plain text in history, so the point is found without
// decoding any payload. The task that scheduled step N's first activity is the
// one that planned it (its observation and scales are local activities of
// that same task, or inside the step activity); resetting to it re-runs step N
// from its plan, which reads the RCs' real sizes first. A step activity that
// takes steps back to back (`step-3` for steps 3 to 7) began each of them: the
// task that scheduled it is the point for all of them, and the steps plan
// from the cluster, so the rollout goes on from what the cluster runs.

/** What this needs of an ActivityTaskScheduled event of Temporal's history. */
export interface ScheduledActivity {
  activityId: string;
  /** The WorkflowTaskCompleted event of the task that scheduled it. */
  workflowTaskCompletedEventId: number;
  /** How many steps it began, from `step-N` on (read from its result; absent: one). */
  steps?: number;
}

export type ResetPoint = { eventId: number } | { refusal: string };

/** Whether a history names its waits by step at all (deploys started before reset-safe rollouts do not). */
export function namesSteps(scheduled: ScheduledActivity[]): boolean {
  return scheduled.some((a) => /^(step|rollback)-\d+(-(new|old))?$/.test(a.activityId));
}

const STEP_WAIT = /^step-(\d+)(-(new|old))?$/;

/** The forward steps a run's history began, in order (a stalled step retried counts once). */
export function stepsBegun(scheduled: ScheduledActivity[]): number[] {
  const steps = new Set<number>();
  for (const a of scheduled) {
    const m = STEP_WAIT.exec(a.activityId);
    for (let k = 0; m && k < Math.max(1, a.steps ?? 1); k++) steps.add(Number(m[1]) + k);
  }
  return [...steps].sort((a, b) => a - b);
}

/** The WorkflowTaskCompleted event to reset to for step `step`, or why there is none in this run. */
export function resetPointOf(scheduled: ScheduledActivity[], step: number): ResetPoint {
  const first = scheduled.find((a) => {
    const m = STEP_WAIT.exec(a.activityId);
    return m !== null && Number(m[1]) <= step && step < Number(m[1]) + Math.max(1, a.steps ?? 1);
  });
  if (!first) {
    const begun = stepsBegun(scheduled);
    return { refusal: begun.length ? `it ran steps ${begun[0]}–${begun[begun.length - 1]} in this run, not step ${step}` : 'it began no step' };
  }
  return { eventId: first.workflowTaskCompletedEventId };
}
