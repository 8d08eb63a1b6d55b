// The queue's replies to the workflows waiting on their requests (a release's
// queued deploy): signals sent as the book changes, never awaited by the
// handler that caused them, but all delivered before the queue continues as
// new or ends. A waiter that is gone loses nothing the queue needs.
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { queueReplySignal, type QueueReply } from './messages.js';

export class QueueReplies {
  private readonly inFlight = new Set<Promise<void>>();

  send(replyTo: string, reply: QueueReply): void {
    const sent: Promise<void> = getExternalWorkflowHandle(replyTo)
      .signal(queueReplySignal, reply)
      .catch((err: unknown) => log.warn('a queued request\'s waiter did not take its reply', { replyTo, error: String(err) }))
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  /** Every reply sent so far has reached the server (or its waiter was gone). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
