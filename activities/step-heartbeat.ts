// A step's heartbeats begin one second into the step. Each heartbeat is a
// request to Temporal and a write of the workflow's state there, the kind of
// request the server spent most on at 50 deploys at once (issue 19); the SDK
// sends a task's first heartbeat at once, the later ones at most once a second.
// So a step shorter than a second sends none, a longer one reports as often as
// before, and an operator's rollback, which reaches a step in a heartbeat's
// answer, waits at most that first second more.
export const FIRST_HEARTBEAT_AFTER_MS = 1000;

/** `send`, except in the first `afterMs` from now: the waits call it again with fresh counts at least once a second. */
export function heartbeatAfterFirstSecond<T>(send: (details: T) => void, now: () => number = Date.now, afterMs = FIRST_HEARTBEAT_AFTER_MS): (details: T) => void {
  const from = now() + afterMs;
  return (details) => {
    if (now() >= from) send(details);
  };
}
