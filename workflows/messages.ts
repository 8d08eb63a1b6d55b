// The deploy workflow's contract with the outside world: its input and result,
// the `progress` query, the operator updates, and the search attributes. The
// client imports this file and nothing else of workflows/.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { AppSpec } from '../domain/spec.js';
import type { Phase } from '../domain/phases.js';
import type { LabelPolicy } from '../domain/label-policy.js';
import type { OperatorCommand } from '../domain/operator-table.js';
import type { Continuation } from './continuation.js';
import { SEARCH_ATTRIBUTES } from '../domain/names.js';

export interface DeployInput {
  /** The validated app spec; absent when `toRevision` redeploys a kept revision. */
  spec?: AppSpec;
  environment: string;
  /** Full image reference (with tag or digest); absent with `toRevision`. */
  image?: string;
  /** Redeploy the kept RC of this revision (its spec and image, from its annotations). */
  toRevision?: number;
  /** Namespace and name of the app: needed with `toRevision`, where there is no spec. */
  app?: { namespace: string; name: string };
  requestedBy: string;
  source?: string;
  /**
   * The organisation's label policy the client checked the spec against; the
   * workflow checks it again (absent: the seed's conventions, which spec
   * validation already enforces).
   */
  labelPolicy?: LabelPolicy;
  /** Continue as new after this many steps (default 500; tests force it lower). */
  maxStepsPerRun?: number;
  /** Set by the deploy itself when it continues as new: what the next run carries on with. */
  continued?: Continuation;
}

/** A deploy's outcome; Superseded and Withdrawn end queued requests that never ran. */
export type Outcome = 'Succeeded' | 'Unchanged' | 'Scaled' | 'RolledBack' | 'Failed' | 'Superseded' | 'Withdrawn';

export interface DeployResult {
  outcome: Outcome;
  workflowId: string;
  environment: string;
  namespace: string;
  app: string;
  image: string;
  rc?: string;
  revision?: number;
  steps: number;
  message: string;
  /** Why it rolled back or failed: RolloutStalled, ImagePullBackOff, OperatorRollback, ... */
  reason?: string;
  /** A request that went through the app's queue: its ticket, and what replaced it when Superseded. */
  queue?: { ticket: string; supersededBy?: string };
}

export interface RcProgress {
  name: string;
  revision: number;
  replicas: number;
  available: number;
}

export interface OperatorAction {
  action: OperatorCommand;
  reason?: string;
  requestedBy?: string;
  at: string;
}

export interface DeployProgress {
  workflowId: string;
  app: string;
  namespace: string;
  environment: string;
  image: string;
  requestedBy: string;
  source?: string;
  phase: Phase;
  step: number;
  totalSteps: number;
  desired: number;
  newRc?: RcProgress;
  oldRcs: RcProgress[];
  paused: boolean;
  approval: 'none' | 'after-first-step';
  lastError?: { type: string; message: string; reason?: string; at: string };
  /** `side`: which RCs the wait is on (absent in progress from older workers). */
  waitingFor?: { what: string; since: string; side?: 'new' | 'old' };
  /** What an operator can do now, e.g. ['retry', 'rollback']. */
  nextActions: OperatorCommand[];
  actions: OperatorAction[];
  result?: DeployResult;
}

export type { OperatorCommand } from '../domain/operator-table.js';

export interface OperatorRequest {
  reason?: string;
  requestedBy?: string;
}

export interface OperatorAnswer {
  phase: Phase;
  message: string;
}

export const progressQuery = defineQuery<DeployProgress>('progress');

export const retryUpdate = defineUpdate<OperatorAnswer, [OperatorRequest]>('retry');
export const rollbackUpdate = defineUpdate<OperatorAnswer, [OperatorRequest]>('rollback');
export const pauseUpdate = defineUpdate<OperatorAnswer, [OperatorRequest]>('pause');
export const resumeUpdate = defineUpdate<OperatorAnswer, [OperatorRequest]>('resume');
export const approveUpdate = defineUpdate<OperatorAnswer, [OperatorRequest]>('approve');

export const OPERATOR_UPDATES = {
  retry: retryUpdate,
  rollback: rollbackUpdate,
  pause: pauseUpdate,
  resume: resumeUpdate,
  approve: approveUpdate,
} as const;

export const searchAttributeKeys = {
  environment: defineSearchAttributeKey(SEARCH_ATTRIBUTES.environment, SearchAttributeType.KEYWORD),
  app: defineSearchAttributeKey(SEARCH_ATTRIBUTES.app, SearchAttributeType.KEYWORD),
  image: defineSearchAttributeKey(SEARCH_ATTRIBUTES.image, SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey(SEARCH_ATTRIBUTES.phase, SearchAttributeType.KEYWORD),
  requestedBy: defineSearchAttributeKey(SEARCH_ATTRIBUTES.requestedBy, SearchAttributeType.KEYWORD),
};

/** The app a per-node schedule keeps at one pod per schedulable node. */
export interface PerNodeTarget {
  environment: string;
  namespace: string;
  name: string;
}

/** The workflow type name, as the client starts it. */
export const DEPLOY_WORKFLOW = 'deploy';

export * from './queue-messages.js';
