// What an operator can do to a running deploy: the update handlers with their
// validators, and the points where the rollout listens to them (between
// steps, at the approval gate, and while it is stuck).
import { ApplicationFailure, CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { operatorRequestProblem } from '../domain/check-deploy.js';
import { operatorVerdict } from '../domain/operator-table.js';
import { OPERATOR_UPDATES, type OperatorAnswer, type OperatorCommand, type OperatorRequest } from './messages.js';
import type { DeployTracker } from './tracker.js';

/** Thrown (as a failure type) to unwind the rollout into a rollback. */
export const ROLLBACK_REQUESTED = 'RollbackRequested';

export class OperatorControls {
  rollbackRequest: OperatorRequest | undefined;
  /** Set when deployflow itself asked for the rollback (nobody decided or approved in time, a pause ran out): why, e.g. ApprovalTimeout. */
  private rollbackCause: string | undefined;
  private retryRequested = false;
  private approved = false;
  private interruptible: CancellationScope | undefined;
  /** A call of steps back to back that a pause stops (workflows/rolling-update.ts). */
  private pausable: CancellationScope | undefined;

  constructor(private readonly tracker: DeployTracker) {
    this.handle('retry', 'Re-run the stalled step of a stuck deploy', () => {
      this.retryRequested = true;
      return 'retrying the stalled step';
    });
    this.handle('rollback', 'Roll back to the previous revision', (request) => {
      this.rollbackRequest = request;
      this.interruptible?.cancel();
      return 'rolling back';
    });
    this.handle('pause', 'Hold the rollout before its next step', () => {
      this.setPaused(true);
      // Steps taken back to back stop; the one in the middle is finished, then the rollout holds.
      this.pausable?.cancel();
      return 'pausing before the next step';
    });
    this.handle('resume', 'Continue a paused rollout', () => {
      this.setPaused(false);
      return 'resuming';
    });
    this.handle('approve', 'Approve the canary step and continue', () => {
      this.approved = true;
      return 'approved; continuing';
    });
  }

  get paused(): boolean {
    return this.tracker.progress.paused;
  }

  /** Runs a step that a rollback request may interrupt (a long wait), and with `pausable` a pause. */
  async run<T>(fn: () => Promise<T>, { pausable = false } = {}): Promise<T> {
    this.throwIfRollbackRequested();
    const scope = new CancellationScope();
    this.interruptible = scope;
    if (pausable) this.pausable = scope;
    try {
      return await scope.run(fn);
    } catch (err) {
      if (isCancellation(err)) this.throwIfRollbackRequested();
      throw err;
    } finally {
      this.interruptible = undefined;
      this.pausable = undefined;
    }
  }

  /**
   * Between two steps: honours a requested rollback, and holds while paused.
   * With `maxPauseSeconds` (deploys started before hold without a limit), a
   * pause that outlasts it rolls back: no deploy holds its app's lock forever.
   */
  async betweenSteps(maxPauseSeconds?: number): Promise<void> {
    this.throwIfRollbackRequested();
    if (!this.paused) return;
    const before = this.tracker.phase;
    this.tracker.setPhase('Paused');
    if (maxPauseSeconds !== undefined) {
      this.tracker.waitingFor(`an operator to resume (or roll back); automatic rollback in ${maxPauseSeconds}s`);
      await this.holdFor(() => !this.paused, maxPauseSeconds, 'PauseTimeout', `paused for longer than strategy.maxPauseSeconds (${maxPauseSeconds}s)`);
      this.tracker.waitingFor(undefined);
    } else {
      await condition(() => !this.paused || this.rollbackRequest !== undefined);
    }
    this.throwIfRollbackRequested();
    this.tracker.setPhase(before);
  }

  /** The canary gate of `approval: after-first-step`; with a timeout, nobody approving in time means rollback. */
  async awaitApproval(timeoutSeconds?: number): Promise<void> {
    this.tracker.setPhase('AwaitingApproval');
    if (timeoutSeconds !== undefined) {
      this.tracker.waitingFor(`an operator to approve (or roll back); automatic rollback in ${timeoutSeconds}s`);
      await this.holdFor(() => this.approved, timeoutSeconds, 'ApprovalTimeout', `nobody approved within strategy.approvalTimeoutSeconds (${timeoutSeconds}s)`);
    } else {
      this.tracker.waitingFor('an operator to approve (or roll back)');
      await condition(() => this.approved || this.rollbackRequest !== undefined);
    }
    this.tracker.waitingFor(undefined);
    this.throwIfRollbackRequested();
  }

  /** Waits for `done` or a rollback request; after `seconds`, deployflow asks for the rollback itself. */
  private async holdFor(done: () => boolean, seconds: number, cause: string, reason: string): Promise<void> {
    const decided = await condition(() => done() || this.rollbackRequest !== undefined, seconds * 1000);
    if (decided) return;
    this.rollbackRequest = { reason, requestedBy: 'deployflow' };
    this.rollbackCause = cause;
    this.tracker.recordError(cause, reason);
  }

  /** Stuck: wait for `retry` or `rollback`; nobody deciding in time means rollback. */
  async awaitDecision(timeoutSeconds: number): Promise<void> {
    this.retryRequested = false;
    this.tracker.setPhase('Stuck');
    this.tracker.waitingFor(`an operator to retry or roll back (automatic rollback in ${timeoutSeconds}s)`);
    const decided = await condition(() => this.retryRequested || this.rollbackRequest !== undefined, timeoutSeconds * 1000);
    this.tracker.waitingFor(undefined);
    if (!decided) {
      this.rollbackRequest = { reason: `nobody decided within ${timeoutSeconds}s`, requestedBy: 'deployflow' };
      this.rollbackCause = 'DecisionTimeout';
    }
    this.throwIfRollbackRequested();
    this.retryRequested = false;
  }

  private throwIfRollbackRequested(): void {
    const request = this.rollbackRequest;
    if (request === undefined) return;
    throw ApplicationFailure.create({
      type: ROLLBACK_REQUESTED,
      nonRetryable: true,
      message: `rollback requested by ${request.requestedBy ?? 'an operator'}${request.reason ? `: ${request.reason}` : ''}`,
      // The deploy's reason: a person's decision (a release is pinned by it) or nobody's.
      details: [{ reason: this.rollbackCause ?? 'OperatorRollback' }],
    });
  }

  private setPaused(paused: boolean): void {
    this.tracker.progress.paused = paused;
    this.tracker.publish();
  }

  private handle(command: OperatorCommand, description: string, act: (request: OperatorRequest) => string): void {
    setHandler(
      OPERATOR_UPDATES[command],
      (request: OperatorRequest = {}): OperatorAnswer => {
        this.tracker.recordAction({ action: command, reason: request.reason, requestedBy: request.requestedBy });
        const message = act(request);
        return { phase: this.tracker.phase, message };
      },
      {
        description,
        validator: (request?: OperatorRequest) => {
          // Updates are untrusted input too: bounded text, or refused before it reaches history.
          const problem = operatorRequestProblem(request);
          if (problem) throw new Error(`${command} refused: ${problem}`);
          const phase = this.tracker.phase;
          const verdict = operatorVerdict(command, phase, this.paused);
          if (verdict !== true) throw new Error(`${command} refused in phase ${phase}: ${verdict}`);
        },
      },
    );
  }
}
