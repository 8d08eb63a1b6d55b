// A step's heartbeats: none in its first second, then at most one a second.
//
// Each heartbeat is a request to Temporal and a write of the workflow's state
// there, the kind of request the server spent most on at 50 deploys at once
// (issue 19); the SDK sends a task's first heartbeat at once, the later ones at
// most once a second. So a step shorter than a second sends none, and an
// operator's rollback, which reaches a step in a heartbeat's answer, waits at
// most that first second more.
//
// After it, the SDK would drop all but one heartbeat a second too, but only
// after encoding each one's details through the data converter and the
// encryption codec: the waits heartbeat on every watch event, and in the
// bench's rollouts of 100 pods that was about 15 % of the worker's CPU
// (`--cpu-prof`, issue 19). The waits heartbeat again with fresh counts at least once a second, so
// the counts operators see are at most two seconds old.
export const HEARTBEAT_EVERY_MS = 1000;

/** `send`, except in the first `everyMs` from now and within `everyMs` of the last one sent. */
export function stepHeartbeat<T>(send: (details: T) => void, now: () => number = Date.now, everyMs = HEARTBEAT_EVERY_MS): (details: T) => void {
  let next = now() + everyMs;
  return (details) => {
    const at = now();
    if (at < next) return;
    next = at + everyMs;
    send(details);
  };
}
