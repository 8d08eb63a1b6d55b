// The deploy queue's bookkeeping (issue 17), pure so it is table-tested: where a
// request goes under its policy, which pending requests it supersedes, and the
// bounds that keep a queue's history and continue-as-new input small. The queue
// workflow (workflows/queue.ts) owns one of these lists and runs its head.

/** How a deploy meets a busy lock: refused (exit 3), queued in order, or queued replacing what waits. */
export type QueuePolicy = 'reject' | 'fifo' | 'latest-wins';
export const QUEUE_POLICIES: readonly QueuePolicy[] = ['reject', 'fifo', 'latest-wins'];
/** `reject` never waits, so it never enters a queue: it is today's direct start. */
export type WaitingPolicy = Exclude<QueuePolicy, 'reject'>;
export const WAITING_POLICIES: readonly WaitingPolicy[] = ['fifo', 'latest-wins'];

/** A deploy someone asked for, or a per-node resize the schedule asked for. */
export type RequestKind = 'deploy' | 'resize';

export interface QueueEntry<I> {
  /** The requester's id for it (also the update id): following a request means following its ticket. */
  ticket: string;
  kind: RequestKind;
  policy: WaitingPolicy;
  image: string;
  requestedBy: string;
  /** When it was enqueued (workflow time, ISO). */
  since: string;
  /** The deploy workflow's input, run as is once the request reaches the lock. */
  input: I;
  /** The size of `input` as JSON: what the entry adds to history and to continue-as-new. */
  bytes: number;
  /** The workflow the queue tells when the request starts and ends (queuedDeployIdFor its ticket). */
  replyTo?: string;
}

/** Outcomes a request can end with without running: replaced by a newer one, or taken back. */
export type QueueOnlyOutcome = 'Superseded' | 'Withdrawn';

export interface FinishedTicket {
  ticket: string;
  kind: RequestKind;
  image: string;
  requestedBy: string;
  /** The deploy's outcome, or Superseded / Withdrawn. */
  outcome: string;
  message: string;
  /** The deploy run that carried it out (absent when it never ran). */
  deploy?: { workflowId: string; runId: string };
  /** Superseded: the ticket that replaced it. */
  supersededBy?: string;
  at: string;
}

export const QUEUE_LIMITS = {
  /** Requests waiting at once; more is refused (a queue that long is a stuck pipeline). */
  pending: 20,
  /** One request's JSON, spec included. */
  requestBytes: 128 * 1024,
  /** All pending requests' JSON: continue-as-new carries them in one payload (Temporal's limit is 2 MiB). */
  pendingBytes: 1024 * 1024,
  /** Finished tickets remembered, so a requester that polls late still learns how its request ended. */
  finished: 50,
} as const;

/** A ticket is a client-made id: short, printable, unambiguous in a table. */
export const TICKET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/;

export interface Placement<I> {
  pending: QueueEntry<I>[];
  /** The ticket that now stands for the request (a coalesced resize follows the one already waiting). */
  ticket: string;
  /** 1-based place among the pending (the running request is not counted). */
  position: number;
  /** Pending requests this one replaced (latest-wins). */
  superseded: QueueEntry<I>[];
}

/**
 * Where a request goes. A ticket already waiting keeps its place (a retried
 * enqueue is not a second request); a resize joins a resize already waiting
 * (both bring the agent to the node count read when it runs); latest-wins
 * replaces every waiting deploy, and resizes keep their place in the lock.
 */
export function place<I>(pending: readonly QueueEntry<I>[], entry: QueueEntry<I>): Placement<I> {
  const same = pending.findIndex((e) => e.ticket === entry.ticket || (entry.kind === 'resize' && e.kind === 'resize'));
  if (same >= 0) return { pending: [...pending], ticket: pending[same]!.ticket, position: same + 1, superseded: [] };
  const superseded = entry.policy === 'latest-wins' ? pending.filter((e) => e.kind === 'deploy') : [];
  const kept = pending.filter((e) => !superseded.includes(e));
  return { pending: [...kept, entry], ticket: entry.ticket, position: kept.length + 1, superseded };
}

/**
 * A resize arriving while a resize runs joins the running one: it reads the
 * node count when it is admitted, and a change after that is the next check's
 * (queueing it would only lengthen the lock).
 */
export function joinsRunning<I>(running: QueueEntry<I> | undefined, entry: QueueEntry<I>): boolean {
  return entry.kind === 'resize' && running?.kind === 'resize';
}

/** Why the queue cannot take this request now, or undefined. */
export function placementProblem<I>(pending: readonly QueueEntry<I>[], entry: QueueEntry<I>): string | undefined {
  if (entry.bytes > QUEUE_LIMITS.requestBytes) return `the request is ${entry.bytes} bytes; a queued request may carry at most ${QUEUE_LIMITS.requestBytes}`;
  const after = place(pending, entry).pending;
  if (after.length > QUEUE_LIMITS.pending) return `${pending.length} requests already wait for this app; the queue holds at most ${QUEUE_LIMITS.pending}`;
  const bytes = after.reduce((n, e) => n + e.bytes, 0);
  if (bytes > QUEUE_LIMITS.pendingBytes) return `the waiting requests would carry ${bytes} bytes; the queue holds at most ${QUEUE_LIMITS.pendingBytes}`;
  return undefined;
}

/** The finished list with one more, oldest dropped beyond the limit. */
export function remember(finished: readonly FinishedTicket[], ...more: FinishedTicket[]): FinishedTicket[] {
  return [...finished, ...more].slice(-QUEUE_LIMITS.finished);
}

/** UTF-8 bytes of a value's JSON, counted by hand: workflow code has no Buffer. */
export function jsonBytes(value: unknown): number {
  let n = 0;
  for (const ch of JSON.stringify(value) ?? '') {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}
