// Where a release stands, kept in one object and published three ways: the
// `release` query, the ReleasePhase / ReleaseAwaitingApproval search attributes,
// and the current-details table the Temporal UI shows.
import { setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { renderReleaseDetails } from '../domain/release-details.js';
import { releaseActionsFor, type EnvironmentProgress, type ReleasePhase } from '../domain/release-state.js';
import { releaseQuery, releaseSearchAttributeKeys, type ReleaseInput, type ReleaseProgress } from './release-messages.js';

export class ReleaseTracker {
  readonly progress: ReleaseProgress;

  constructor(input: ReleaseInput) {
    const now = new Date().toISOString();
    this.progress = {
      releaseId: workflowInfo().workflowId,
      app: input.spec.name,
      namespace: input.spec.namespace,
      image: input.image,
      requestedBy: input.requestedBy,
      phase: 'Starting',
      plan: input.plan,
      environments: input.plan.environments.map((environment) => ({ environment, phase: 'Pending', since: now })),
      approvals: [],
      nextActions: [],
    };
    setHandler(releaseQuery, () => this.progress, { description: 'Where the release stands: phase, each environment, approvals, next actions' });
    this.publish();
  }

  get phase(): ReleasePhase {
    return this.progress.phase;
  }

  environment(name: string): EnvironmentProgress {
    return this.progress.environments.find((e) => e.environment === name)!;
  }

  setPhase(phase: ReleasePhase, awaiting = ''): void {
    const changed = phase !== this.progress.phase;
    this.progress.phase = phase;
    if (changed) {
      upsertSearchAttributes([
        { key: releaseSearchAttributeKeys.phase, value: phase },
        { key: releaseSearchAttributeKeys.awaitingApproval, value: awaiting },
      ]);
    }
    this.publish();
  }

  /** An environment's row changes; entering a new phase resets its `since`. */
  update(name: string, patch: Partial<EnvironmentProgress>): void {
    const env = this.environment(name);
    if (patch.phase && patch.phase !== env.phase) env.since = new Date().toISOString();
    if (patch.phase && patch.phase !== 'Soaking') delete env.soakUntil;
    Object.assign(env, patch);
    this.publish();
  }

  publish(): void {
    this.progress.nextActions = releaseActionsFor(this.progress.phase);
    setCurrentDetails(renderReleaseDetails({ ...this.progress, message: this.progress.result?.message }));
  }
}
