// The deploy queue's contract (issue 17): its input, the `enqueue` and
// `withdraw` updates, the signals workflows use instead (they can signal but
// not update: the per-node schedule, a release's queued deploy), the replies
// the queue signals back, and the `queue` query. Re-exported by messages.ts,
// which is all the client imports of workflows/.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FinishedTicket, QueueEntry, WaitingPolicy } from '../domain/queue.js';
import type { QueueRequest } from '../domain/queue-request.js';
import type { DeployInput, DeployResult } from './messages.js';

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

/** What the queue tells a request's replyTo workflow: the deploy run once it starts, then how it ended. */
export interface QueueReply {
  ticket: string;
  deploy?: { workflowId: string; runId: string };
  finished?: FinishedTicket;
  /** The deploy's own result, when it ran. */
  result?: DeployResult;
}

/** The input of a queued deploy (workflows/queued-deploy.ts), under queuedDeployIdFor(…, ticket). */
export interface QueuedDeployInput {
  ticket: string;
  policy: WaitingPolicy;
  input: DeployInput;
  /** Who asked for it, for the UI (a release's workflow id). */
  requestedFor?: string;
}

export const enqueueUpdate = defineUpdate<EnqueueAnswer, [QueueRequest<DeployInput>]>('enqueue');
export const withdrawUpdate = defineUpdate<FinishedTicket, [WithdrawRequest]>('withdraw');
export const enqueueSignal = defineSignal<[QueueRequest<DeployInput>]>('enqueue-request');
export const queueQuery = defineQuery<QueueView>('queue');
/** Workflows cannot send updates: a queued deploy that is cancelled takes its request back by signal. */
export const withdrawSignal = defineSignal<[WithdrawRequest]>('withdraw-request');
export const queueReplySignal = defineSignal<[QueueReply]>('queue-reply');

/** The workflow type name of a queued deploy. */
export const QUEUED_DEPLOY_WORKFLOW = 'queuedDeploy';

/** The workflow type name, as the client and the per-node schedule start it. */
export const DEPLOY_QUEUE_WORKFLOW = 'deployQueue';
