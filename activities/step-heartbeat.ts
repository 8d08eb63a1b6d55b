// A step's heartbeats: none in its first interval, then at most one an
// interval. The interval is a second while the worker runs up to ten steps at
// once, and grows with the number of steps beyond that, up to five seconds.
//
// Each heartbeat is a request to Temporal and a write of the workflow's state
// there. With 50 deploys at once, a step's heartbeat every second had become
// the largest cost per deploy that was left (BENCHMARKS.md, issue 19's
// eleventh round). So up to fifty steps the worker spends the same ten
// heartbeats a second however many run: a lone rollout's counts in
// `deployctl watch` are as fresh as before, a busy worker's a few seconds old.
//
// An operator's rollback or pause reaches a step in a heartbeat's answer, so
// within one interval. The waits call the heartbeat on every watch event and
// at least once a second; the SDK would encode each call's details (the data
// converter, the encryption codec) before its own throttle dropped them, so
// the calls are dropped here instead.
export const HEARTBEAT_EVERY_MS = 1000;
/** The worker's budget, across all its running steps (exceeded only beyond fifty, at the longest interval). */
export const HEARTBEATS_PER_SECOND = 10;
/** A third of a step's heartbeat timeout (15 s, workflows/cluster.ts): a busy worker's step is never taken for lost. */
export const LONGEST_HEARTBEAT_INTERVAL_MS = 5000;

/** `send`, except in the first `everyMs()` from now and within `everyMs()` of the last one sent. */
export function stepHeartbeat<T>(send: (details: T) => void, now: () => number = Date.now, everyMs: () => number = () => HEARTBEAT_EVERY_MS): (details: T) => void {
  let next = now() + everyMs();
  return (details) => {
    const at = now();
    if (at < next) return;
    next = at + everyMs();
    send(details);
  };
}

/** The running steps of one worker, and the interval their heartbeats share. */
export class StepHeartbeats {
  private running = 0;

  constructor(private readonly perSecond = HEARTBEATS_PER_SECOND) {}

  /** A step's interval now: a second, or longer when more than `perSecond` steps run. */
  get everyMs(): number {
    const spread = Math.ceil((this.running * 1000) / this.perSecond);
    return Math.min(LONGEST_HEARTBEAT_INTERVAL_MS, Math.max(HEARTBEAT_EVERY_MS, spread));
  }

  /** One step's heartbeat; the step counts among the running ones until `done()`. */
  start<T>(send: (details: T) => void, now: () => number = Date.now): { heartbeat: (details: T) => void; done: () => void } {
    this.running += 1;
    let ended = false;
    return {
      heartbeat: stepHeartbeat(send, now, () => this.everyMs),
      done: () => {
        if (!ended) this.running -= 1;
        ended = true;
      },
    };
  }
}
