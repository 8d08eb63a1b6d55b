// One of the two systems a benchmark compares, behind the same three calls.
import type { Target } from './specs.js';

/** deployflow-production: deployflow on the production topology's Temporal (PostgreSQL, authorization). */
export type SystemName = 'deployflow' | 'deployflow-production' | 'deployment';

export interface RolloutRun {
  /** When the system itself said it was done (workflow result / Deployment status complete), ms epoch. */
  reportedDoneAt: number;
  /** deployflow only: the workflow that rolled. */
  workflow?: { workflowId: string; runId: string };
  /** deployflow only: the steps its result says it took. */
  steps?: number;
}

export interface System {
  name: SystemName;
  namespace: string;
  /**
   * How long after setup a rollout starts cold: deployflow's worker keeps an
   * app's watches open a little while after a deploy, and a measured rollout
   * must pay for opening its own, as a deploy after a quiet spell does.
   */
  coldAfterMs: number;
  /** Deploys `image` at full size as a first deploy and waits until it is done. */
  setup(t: Target, image: string): Promise<void>;
  /** Rolls to `image`; resolves when the system reports the rollout done. */
  rollout(t: Target, image: string): Promise<RolloutRun>;
  /** Removes the app; returns once its pods are gone. */
  cleanup(t: Target): Promise<void>;
}
