// The deploy queue's contract (issue 17): its input, the `enqueue` and
// `withdraw` updates, the signal the per-node schedule uses (workflows can
// signal but not update), and the `queue` query. Re-exported by messages.ts,
// which is all the client imports of workflows/.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FinishedTicket, QueueEntry } from '../domain/queue.js';
import type { QueueRequest } from '../domain/queue-request.js';
import type { DeployInput } from './messages.js';

export type { FinishedTicket, QueuePolicy, WaitingPolicy, RequestKind } from '../domain/queue.js';
export type { QueueRequest } from '../domain/queue-request.js';

export interface QueueInput {
  environment: string;
  namespace: string;
  /** The app's name. */
  name: string;
  /** Seconds an empty queue waits for another request before it ends (default 60). */
  idleSeconds?: number;
  /** History events after which the queue continues as new, between two deploys (default 4000). */
  historyLimit?: number;
  /** Carried by continue-as-new (checked again: the input is untrusted like any other). */
  pending?: QueueEntry<DeployInput>[];
  finished?: FinishedTicket[];
  /** A first request, from a starter that cannot send updates (the per-node schedule). */
  initial?: QueueRequest<DeployInput>;
}

/** A waiting request as people see it (its input stays in history). */
export type QueuedView = Omit<QueueEntry<DeployInput>, 'input' | 'bytes'>;

export interface RunningView extends QueuedView {
  /** The deploy run carrying it out; absent while the lock is held by a deploy started outside the queue. */
  deploy?: { workflowId: string; runId: string };
  startedAt?: string;
  /** Why it has not started yet. */
  waitingFor?: string;
}

export interface QueueView {
  queueId: string;
  environment: string;
  namespace: string;
  name: string;
  running?: RunningView;
  pending: QueuedView[];
  /** The latest finished requests, newest last. */
  finished: FinishedTicket[];
}

export interface EnqueueAnswer {
  /** The ticket to follow (a resize joining a waiting resize follows that one). */
  ticket: string;
  /** 1-based place among the waiting; the running request is not counted. */
  position: number;
  /** The ticket running now, if any. */
  running?: string;
  /** Tickets this request replaced (latest-wins). */
  superseded: string[];
}

export interface WithdrawRequest {
  ticket: string;
  requestedBy?: string;
}

export const enqueueUpdate = defineUpdate<EnqueueAnswer, [QueueRequest<DeployInput>]>('enqueue');
export const withdrawUpdate = defineUpdate<FinishedTicket, [WithdrawRequest]>('withdraw');
export const enqueueSignal = defineSignal<[QueueRequest<DeployInput>]>('enqueue-request');
export const queueQuery = defineQuery<QueueView>('queue');

/** The workflow type name, as the client and the per-node schedule start it. */
export const DEPLOY_QUEUE_WORKFLOW = 'deployQueue';
