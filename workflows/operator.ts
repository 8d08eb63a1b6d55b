// What an operator can do to a running deploy: the update handlers with their
// validators, and the points where the rollout listens to them (between
// steps, at the approval gate, and while it is stuck).
import { ApplicationFailure, CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { operatorRequestProblem } from '../domain/check-deploy.js';
import { TERMINAL_PHASES, type Phase } from '../domain/phases.js';
import { OPERATOR_UPDATES, type OperatorAnswer, type OperatorCommand, type OperatorRequest } from './messages.js';
import type { DeployTracker } from './tracker.js';

/** Thrown (as a failure type) to unwind the rollout into a rollback. */
export const ROLLBACK_REQUESTED = 'RollbackRequested';

const NEXT_ACTIONS: Partial<Record<Phase, OperatorCommand[]>> = {
  Applying: ['pause', 'rollback'],
  RollingOut: ['pause', 'rollback'],
  Paused: ['resume', 'rollback'],
  AwaitingApproval: ['approve', 'rollback'],
  Stuck: ['retry', 'rollback'],
};

export function nextActionsFor(phase: Phase, paused: boolean): OperatorCommand[] {
  const actions = NEXT_ACTIONS[phase] ?? [];
  return paused && phase !== 'Paused' ? actions.map((a) => (a === 'pause' ? 'resume' : a)) : actions;
}

export class OperatorControls {
  rollbackRequest: OperatorRequest | undefined;
  /** The rollback was deployflow's own, after nobody decided in time (not a person's). */
  private decisionTimedOut = false;
  private retryRequested = false;
  private approved = false;
  private interruptible: CancellationScope | undefined;

  constructor(private readonly tracker: DeployTracker) {
    this.handle('retry', 'Re-run the stalled step of a stuck deploy', (phase) => phase === 'Stuck' || 'retry needs a stuck deploy (nothing has failed)', () => {
      this.retryRequested = true;
      return 'retrying the stalled step';
    });
    this.handle(
      'rollback',
      'Roll back to the previous revision',
      (phase) => phase !== 'RollingBack' || 'the deploy is already rolling back',
      (request) => {
        this.rollbackRequest = request;
        this.interruptible?.cancel();
        return 'rolling back';
      },
    );
    this.handle(
      'pause',
      'Hold the rollout before its next step',
      (phase) => ((phase === 'RollingOut' || phase === 'Applying') && !this.paused) || (this.paused ? 'the deploy is already paused' : 'only a rolling-out deploy can be paused'),
      () => {
        this.setPaused(true);
        return 'pausing before the next step';
      },
    );
    this.handle('resume', 'Continue a paused rollout', () => this.paused || 'the deploy is not paused', () => {
      this.setPaused(false);
      return 'resuming';
    });
    this.handle('approve', 'Approve the canary step and continue', (phase) => phase === 'AwaitingApproval' || 'no approval gate is open', () => {
      this.approved = true;
      return 'approved; continuing';
    });
  }

  get paused(): boolean {
    return this.tracker.progress.paused;
  }

  /** Runs a step that a rollback request may interrupt (a long wait). */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.throwIfRollbackRequested();
    const scope = new CancellationScope();
    this.interruptible = scope;
    try {
      return await scope.run(fn);
    } catch (err) {
      if (isCancellation(err)) this.throwIfRollbackRequested();
      throw err;
    } finally {
      this.interruptible = undefined;
    }
  }

  /** Between two steps: honours a requested rollback, and holds while paused. */
  async betweenSteps(): Promise<void> {
    this.throwIfRollbackRequested();
    if (!this.paused) return;
    const before = this.tracker.phase;
    this.tracker.setPhase('Paused');
    await condition(() => !this.paused || this.rollbackRequest !== undefined);
    this.throwIfRollbackRequested();
    this.tracker.setPhase(before);
  }

  /** The canary gate of `approval: after-first-step`. */
  async awaitApproval(): Promise<void> {
    this.tracker.setPhase('AwaitingApproval');
    this.tracker.waitingFor('an operator to approve (or roll back)');
    await condition(() => this.approved || this.rollbackRequest !== undefined);
    this.tracker.waitingFor(undefined);
    this.throwIfRollbackRequested();
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
      this.decisionTimedOut = true;
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
      details: [{ reason: this.decisionTimedOut ? 'DecisionTimeout' : 'OperatorRollback' }],
    });
  }

  private setPaused(paused: boolean): void {
    this.tracker.progress.paused = paused;
    this.tracker.publish();
  }

  private handle(
    command: OperatorCommand,
    description: string,
    allowed: (phase: Phase) => true | string,
    act: (request: OperatorRequest) => string,
  ): void {
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
          if ((TERMINAL_PHASES as readonly Phase[]).includes(phase)) throw new Error(`the deploy has ended (${phase})`);
          const verdict = allowed(phase);
          if (verdict !== true) throw new Error(`${command} refused in phase ${phase}: ${verdict}`);
        },
      },
    );
  }
}
