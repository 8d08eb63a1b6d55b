// The operator's commands on a running release: `approve` (the gate before an
// environment marked --approve) and `stop` (promote nothing more). Validators
// refuse what the phase does not allow, from the one table in domain/.
import { condition, setHandler } from '@temporalio/workflow';
import { RELEASE_COMMANDS, type Approval, type ReleaseCommand } from '../domain/release-state.js';
import { TEXT_LIMITS } from '../domain/check-deploy.js';
import { approveReleaseUpdate, stopReleaseUpdate, type ReleaseRequest } from './release-messages.js';
import type { ReleaseTracker } from './release-tracker.js';

export class ReleaseControls {
  /** The environment the gate is open for, once approved. */
  private approved?: Approval;
  /** Waiters (the gate, a running soak) wake on this. */
  stopped = false;

  constructor(private readonly tracker: ReleaseTracker) {
    const validate = (command: ReleaseCommand) => (request: ReleaseRequest) => {
      const { phase } = this.tracker.progress;
      if (!RELEASE_COMMANDS[command].includes(phase)) throw new Error(`cannot ${command} a release that is ${phase} (${command} is for ${RELEASE_COMMANDS[command].join(', ')})`);
      if (this.stopped) throw new Error('the release is stopping');
      if (request?.reason !== undefined && (typeof request.reason !== 'string' || request.reason.length > TEXT_LIMITS.reason)) throw new Error(`reason: at most ${TEXT_LIMITS.reason} characters`);
    };
    setHandler(approveReleaseUpdate, (request) => {
      const environment = this.awaiting()!;
      this.approved = { environment, by: by(request), ...(request?.reason && { reason: request.reason }), at: new Date().toISOString() };
      this.tracker.progress.approvals.push(this.approved);
      return { phase: this.tracker.phase, message: `approved: ${this.tracker.progress.app} goes to ${environment}` };
    }, { validator: validate('approve'), description: 'Open the gate before the environment that waits for approval' });
    setHandler(stopReleaseUpdate, (request) => {
      this.stopped = true;
      this.tracker.progress.stop = { by: by(request), ...(request?.reason && { reason: request.reason }), at: new Date().toISOString() };
      this.tracker.publish();
      return { phase: this.tracker.phase, message: 'stopping: nothing more is promoted (a running deploy finishes first)' };
    }, { validator: validate('stop'), description: 'Promote nothing more; a running deploy finishes, nothing is rolled back' });
  }

  private awaiting(): string | undefined {
    return this.tracker.progress.environments.find((e) => e.phase === 'AwaitingApproval')?.environment;
  }

  /** Waits at the gate of `environment`: its approval, or undefined when the release was stopped. */
  async gate(environment: string): Promise<Approval | undefined> {
    await condition(() => this.approved?.environment === environment || this.stopped);
    return this.stopped ? undefined : this.approved;
  }
}

const by = (request: ReleaseRequest | undefined) => (typeof request?.requestedBy === 'string' && request.requestedBy ? request.requestedBy.slice(0, TEXT_LIMITS.requestedBy) : 'unknown');
