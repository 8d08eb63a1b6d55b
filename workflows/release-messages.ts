// The release workflow's contract with the outside world: its input and result,
// the `release` query, the `approve` and `stop` updates, and its search
// attributes. The client imports this file (and messages.ts) and nothing else of workflows/.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { AppSpec } from '../domain/spec.js';
import type { LabelPolicy } from '../domain/label-policy.js';
import type { ReleasePlan } from '../domain/release-plan.js';
import { RELEASE_SEARCH_ATTRIBUTES } from '../domain/release-plan.js';
import type { Approval, EnvironmentProgress, ReleaseOutcome, ReleasePhase } from '../domain/release-state.js';

export interface ReleaseInput {
  /** The checked app spec; each environment's worker admits it again with its own policy. */
  spec: AppSpec;
  /** The full image reference (tag or digest) that moves through the environments. */
  image: string;
  plan: ReleasePlan;
  requestedBy: string;
  source?: string;
  labelPolicy?: LabelPolicy;
}

export interface ReleaseResult {
  outcome: ReleaseOutcome;
  releaseId: string;
  app: string;
  image: string;
  /** The environment where the release stopped (absent when it promoted everywhere). */
  stoppedAt?: string;
  environments: EnvironmentProgress[];
  message: string;
}

export interface ReleaseProgress {
  releaseId: string;
  app: string;
  namespace: string;
  image: string;
  requestedBy: string;
  phase: ReleasePhase;
  plan: ReleasePlan;
  environments: EnvironmentProgress[];
  approvals: Approval[];
  stop?: { by: string; reason?: string; at: string };
  nextActions: ('approve' | 'stop')[];
  result?: ReleaseResult;
}

export interface ReleaseRequest {
  reason?: string;
  requestedBy?: string;
}

export interface ReleaseAnswer {
  phase: ReleasePhase;
  message: string;
}

export const releaseQuery = defineQuery<ReleaseProgress>('release');
export const approveReleaseUpdate = defineUpdate<ReleaseAnswer, [ReleaseRequest]>('approve');
export const stopReleaseUpdate = defineUpdate<ReleaseAnswer, [ReleaseRequest]>('stop');

export const releaseSearchAttributeKeys = {
  app: defineSearchAttributeKey(RELEASE_SEARCH_ATTRIBUTES.app, SearchAttributeType.KEYWORD),
  image: defineSearchAttributeKey(RELEASE_SEARCH_ATTRIBUTES.image, SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey(RELEASE_SEARCH_ATTRIBUTES.phase, SearchAttributeType.KEYWORD),
  awaitingApproval: defineSearchAttributeKey(RELEASE_SEARCH_ATTRIBUTES.awaitingApproval, SearchAttributeType.KEYWORD),
  requestedBy: defineSearchAttributeKey(RELEASE_SEARCH_ATTRIBUTES.requestedBy, SearchAttributeType.KEYWORD),
};

/** The workflow type names, as the client and the Nexus handler start them. */
export const RELEASE_WORKFLOW = 'release';
export const SOAK_WORKFLOW = 'soak';
