// A step's heartbeats: none in its first second, then at most one a second.
//
// Each heartbeat is a request to Temporal and a write of the workflow's state
// there, the kind of request the server spent most on at 50 deploys at once
// (issue 19). So a step shorter than a second sends none, and an operator's
// rollback, which reaches a step in a heartbeat's answer, waits at most that
// first second more.
//
// After it, the SDK sends at most one a second too, but it encodes every
// call's details (the data converter, the encryption codec) before its
// throttle drops them, and the waits heartbeat on every watch event: about
// 15 % of the worker's CPU in the bench's 100-pod rollouts (`--cpu-prof`,
// issue 19). The waits heartbeat with fresh counts at least once a second, so
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
