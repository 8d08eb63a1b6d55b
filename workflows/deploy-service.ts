// The Nexus service each environment's worker offers the release (endpoint
// deploy-<env>, in that environment's namespace): `deploy` starts and follows
// that environment's deploy workflow; `soak` watches what serves for a while.
// The release workflow calls it; the environment's worker handles it
// (worker/deploy-service.ts) and admits every deploy with its own policy.
import * as nexus from 'nexus-rpc';
import type { Serving } from '../domain/release-state.js';
import type { DeployInput, DeployResult } from './messages.js';

export interface ReleaseDeployInput extends DeployInput {
  /** The release this deploy belongs to (shown in the deploy's details). */
  releaseId: string;
}

export interface SoakInput {
  environment: string;
  namespace: string;
  app: string;
  /** What must keep serving; absent: only report what serves now. */
  expect?: Serving;
  /** How long to watch (0: look once). */
  seconds: number;
  releaseId: string;
}

export interface SoakResult {
  /** What serves the app now (absent: nothing yet). */
  serving?: Serving;
}

export const DEPLOY_SERVICE = nexus.service('deployflow-deploy', {
  deploy: nexus.operation<ReleaseDeployInput, DeployResult>(),
  soak: nexus.operation<SoakInput, SoakResult>(),
});
