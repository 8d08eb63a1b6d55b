// The queue workflow's state and its one owner: what runs, what waits, what
// ended. Handlers and the run loop change it only through these methods, and
// every change is published as the `queue` query and the UI's current details;
// a request that names a replyTo workflow is told its start and its end.
import { ApplicationFailure, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { checkQueueRequest } from '../domain/queue-request.js';
import { TEXT_LIMITS } from '../domain/check-deploy.js';
import { joinsRunning, place, placementProblem, remember, QUEUE_LIMITS, type FinishedTicket, type QueueEntry } from '../domain/queue.js';
import type { DeployTarget } from '../domain/names.js';
import type { DeployInput, DeployResult, EnqueueAnswer, QueueReply, QueueView, QueuedView, RunningView, WithdrawRequest } from './messages.js';
import { renderQueueDetails } from './queue-details.js';

type Entry = QueueEntry<DeployInput>;

export interface Refusal {
  type: 'InvalidRequest' | 'QueueFull' | 'NotWaiting';
  message: string;
}

export class QueueBook {
  private pending: Entry[] = [];
  private finished: FinishedTicket[] = [];
  private running?: { entry: Entry; deploy?: { workflowId: string; runId: string }; startedAt?: string; waitingFor?: string };

  /** `tell` sends a reply to a request's replyTo workflow (the queue signals it). */
  constructor(
    private readonly app: DeployTarget,
    private readonly tell: (replyTo: string, reply: QueueReply) => void = () => {},
  ) {}

  /** Carried entries are re-checked like new requests: continue-as-new input is untrusted too. */
  restore(pending: unknown, finished: unknown): void {
    for (const raw of Array.isArray(pending) ? pending.slice(0, QUEUE_LIMITS.pending) : []) {
      const since = typeof raw?.since === 'string' ? raw.since.slice(0, 40) : now();
      const checked = checkQueueRequest<DeployInput>(raw, this.app, since);
      if ('entry' in checked && !placementProblem(this.pending, checked.entry)) this.pending = place(this.pending, checked.entry).pending;
    }
    this.finished = (Array.isArray(finished) ? finished : []).filter(isFinishedTicket).slice(-QUEUE_LIMITS.finished);
    this.publish();
  }

  /** The validator: why this request is refused, before it reaches history (QueueFull: try later; InvalidRequest: never). */
  refusal(raw: unknown): Refusal | undefined {
    const checked = checkQueueRequest<DeployInput>(raw, this.app, now());
    if ('problem' in checked) return { type: 'InvalidRequest', message: checked.problem };
    if (this.knows(checked.entry.ticket) || joinsRunning(this.running?.entry, checked.entry)) return undefined; // nothing is added
    const full = placementProblem(this.pending, checked.entry);
    return full === undefined ? undefined : { type: 'QueueFull', message: full };
  }

  enqueue(raw: unknown): EnqueueAnswer {
    const checked = checkQueueRequest<DeployInput>(raw, this.app, now());
    if ('problem' in checked) throw ApplicationFailure.create({ type: 'InvalidRequest', message: checked.problem, nonRetryable: true }); // the validator refuses it first
    const running = this.running?.entry.ticket;
    const known = this.answerFor(checked.entry.ticket);
    if (known) {
      // A requester asking again after its request ended learns the ending again (its first reply may predate a reset).
      const ended = this.finished.find((f) => f.ticket === checked.entry.ticket);
      if (ended && checked.entry.replyTo) this.tell(checked.entry.replyTo, { ticket: ended.ticket, finished: ended });
      return known;
    }
    if (running && joinsRunning(this.running?.entry, checked.entry)) return { ticket: running, position: 0, running, superseded: [] };
    const placed = place(this.pending, checked.entry);
    this.pending = placed.pending;
    const ended = placed.superseded.map((e) => this.end(e, this.ending(e, 'Superseded', `superseded by ${placed.ticket} (${checked.entry.image}, latest-wins)`, placed.ticket)));
    this.finished = remember(this.finished, ...ended);
    this.publish();
    return { ticket: placed.ticket, position: placed.position, ...(running && { running }), superseded: ended.map((e) => e.ticket) };
  }

  withdrawalProblem(request: WithdrawRequest): Refusal | undefined {
    const invalid = (message: string): Refusal => ({ type: 'InvalidRequest', message });
    if (typeof request?.ticket !== 'string') return invalid('ticket: is required');
    if (request.requestedBy !== undefined && (typeof request.requestedBy !== 'string' || request.requestedBy.length > TEXT_LIMITS.requestedBy)) {
      return invalid(`requestedBy: must be a string of at most ${TEXT_LIMITS.requestedBy} characters`);
    }
    if (this.running?.entry.ticket === request.ticket) return { type: 'NotWaiting', message: `${request.ticket} is running; cancel or roll back the deploy itself` };
    if (!this.pending.some((e) => e.ticket === request.ticket)) return { type: 'NotWaiting', message: `${request.ticket.slice(0, 80)} is not waiting in this queue` };
    return undefined;
  }

  withdraw(request: WithdrawRequest): FinishedTicket {
    const entry = this.pending.find((e) => e.ticket === request.ticket);
    if (!entry) throw ApplicationFailure.create({ type: 'NotWaiting', message: `${request.ticket} is not waiting`, nonRetryable: true }); // the validator refuses it first
    this.pending = this.pending.filter((e) => e !== entry);
    const ended = this.end(entry, this.ending(entry, 'Withdrawn', `withdrawn by ${request.requestedBy ?? 'someone'} before it ran`));
    this.finished = remember(this.finished, ended);
    this.publish();
    return ended;
  }

  /** Everything waiting ends Withdrawn (the queue itself was cancelled). */
  withdrawAll(why: string): void {
    this.finished = remember(this.finished, ...this.pending.map((e) => this.end(e, this.ending(e, 'Withdrawn', why))));
    this.pending = [];
    this.publish();
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  get head(): Entry | undefined {
    return this.pending[0];
  }

  /** The head leaves the waiting list before its start is sent: nothing supersedes what is starting. */
  claim(entry: Entry): void {
    this.pending = this.pending.filter((e) => e !== entry);
    this.running = { entry };
    this.publish();
  }

  /** The lock is held by a deploy started outside the queue: the claimed request stays next and says why it waits. */
  waiting(why: string): void {
    if (this.running) this.running.waitingFor = why;
    this.publish();
  }

  started(entry: Entry, deploy: { workflowId: string; runId: string }): void {
    this.running = { entry, deploy, startedAt: now() };
    if (entry.replyTo) this.tell(entry.replyTo, { ticket: entry.ticket, deploy });
    this.publish();
  }

  finish(entry: Entry, result: DeployResult): void {
    const deploy = this.running?.deploy;
    this.running = undefined;
    this.finished = remember(this.finished, this.end(entry, { ...this.ending(entry, result.outcome, result.message), ...(deploy && { deploy }) }, result));
    this.publish();
  }

  view(): QueueView {
    const shown = ({ input: _input, bytes: _bytes, ...rest }: Entry): QueuedView => rest;
    const running: RunningView | undefined = this.running && {
      ...shown(this.running.entry),
      ...(this.running.deploy && { deploy: this.running.deploy }),
      ...(this.running.startedAt && { startedAt: this.running.startedAt }),
      ...(this.running.waitingFor && { waitingFor: this.running.waitingFor }),
    };
    return {
      queueId: workflowInfo().workflowId,
      ...this.app,
      ...(running && { running }),
      pending: this.pending.map(shown),
      finished: this.finished,
    };
  }

  /** What continue-as-new carries. */
  carry(): { pending: Entry[]; finished: FinishedTicket[] } {
    return { pending: this.pending, finished: this.finished };
  }

  private knows(ticket: string): boolean {
    return this.answerFor(ticket) !== undefined;
  }

  private answerFor(ticket: string): EnqueueAnswer | undefined {
    const running = this.running?.entry.ticket;
    const base = { ...(running && { running }), superseded: [] };
    if (running === ticket) return { ticket, position: 0, ...base };
    const at = this.pending.findIndex((e) => e.ticket === ticket);
    if (at >= 0) return { ticket, position: at + 1, ...base };
    if (this.finished.some((f) => f.ticket === ticket)) return { ticket, position: 0, ...base };
    return undefined;
  }

  /** The request's ending, told to its replyTo workflow (with the deploy's result when it ran). */
  private end(e: Entry, finished: FinishedTicket, result?: DeployResult): FinishedTicket {
    if (e.replyTo) this.tell(e.replyTo, { ticket: e.ticket, finished, ...(result && { result }) });
    return finished;
  }

  private ending(e: Entry, outcome: string, message: string, supersededBy?: string): FinishedTicket {
    return { ticket: e.ticket, kind: e.kind, image: e.image, requestedBy: e.requestedBy, outcome, message, ...(supersededBy && { supersededBy }), at: now() };
  }

  private publish(): void {
    setCurrentDetails(renderQueueDetails(this.view()));
  }
}

function now(): string {
  return new Date().toISOString(); // workflow time: deterministic in the sandbox
}

function isFinishedTicket(v: unknown): v is FinishedTicket {
  const f = v as FinishedTicket;
  return typeof f === 'object' && f !== null && typeof f.ticket === 'string' && typeof f.outcome === 'string' && typeof f.message === 'string' && f.message.length <= 2048;
}
