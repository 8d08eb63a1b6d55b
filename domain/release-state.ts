// Where a release stands and what follows from each event, as pure decisions:
// what an environment's deploy outcome means for the release, what a failure
// stops and rolls back, and which operator command fits which phase (one table,
// read by the UI's next actions and by the update validators alike).
import type { ReleasePlan } from './release-plan.js';

export const RELEASE_OUTCOMES = ['Promoted', 'Failed', 'Pinned', 'Stopped'] as const;
export type ReleaseOutcome = (typeof RELEASE_OUTCOMES)[number];

/** Also the ReleasePhase search attribute's values. */
export const RELEASE_PHASES = ['Starting', 'Deploying', 'Soaking', 'AwaitingApproval', 'RollingBack', ...RELEASE_OUTCOMES] as const;
export type ReleasePhase = (typeof RELEASE_PHASES)[number];

export type EnvironmentPhase =
  | 'Pending'
  | 'AwaitingApproval'
  | 'Deploying'
  | 'Soaking'
  | 'Promoted'
  | 'Failed'
  | 'RolledBack'
  | 'Pinned'
  | 'Stopped';

export type ReleaseCommand = 'approve' | 'stop';

/** Which command is valid in which phase: the only copy of this fact. */
export const RELEASE_COMMANDS: Record<ReleaseCommand, readonly ReleasePhase[]> = {
  approve: ['AwaitingApproval'],
  stop: ['Starting', 'Deploying', 'Soaking', 'AwaitingApproval'],
};

export function releaseActionsFor(phase: ReleasePhase): ReleaseCommand[] {
  return (Object.keys(RELEASE_COMMANDS) as ReleaseCommand[]).filter((c) => RELEASE_COMMANDS[c].includes(phase));
}

export function isReleaseOutcome(phase: string): phase is ReleaseOutcome {
  return (RELEASE_OUTCOMES as readonly string[]).includes(phase);
}

export interface Approval {
  environment: string;
  by: string;
  reason?: string;
  at: string;
}

/** What runs in an environment: the RC that serves the app. */
export interface Serving {
  rc: string;
  revision: number;
  image: string;
  replicas: number;
}

export interface EnvironmentProgress {
  environment: string;
  phase: EnvironmentPhase;
  /** What the environment runs now, as far as the release knows. */
  image?: string;
  /** When the environment entered its phase (ISO). */
  since: string;
  /** Until when the soak runs (ISO), while soaking. */
  soakUntil?: string;
  /** What served before the release promoted it: what a rollback restores. */
  previous?: Serving;
  /** What the release's deploy made serve. */
  serving?: Serving;
  deployWorkflowId?: string;
  approval?: Approval;
  message?: string;
}

/** The release's deploy of one environment ended like this (the deploy workflow's outcome and reason). */
export interface DeployEnd {
  outcome: 'Succeeded' | 'Unchanged' | 'Scaled' | 'RolledBack' | 'Failed' | 'Superseded' | 'Withdrawn';
  reason?: string;
}

/**
 * A deploy that an operator rolled back or cancelled was decided by a person:
 * the environment is pinned, not failed, and nothing promotes past it.
 */
export function deployVerdict(end: DeployEnd): 'promoted' | 'failed' | 'pinned' {
  if (end.outcome === 'Succeeded' || end.outcome === 'Unchanged' || end.outcome === 'Scaled') return 'promoted';
  // A newer queued deploy took its place, or someone withdrew it: a person's decision too.
  if (end.reason === 'OperatorRollback' || end.reason === 'Cancelled' || end.outcome === 'Superseded' || end.outcome === 'Withdrawn') return 'pinned';
  return 'failed';
}

export type Stop =
  | { kind: 'deploy-failed'; environment: string }
  | { kind: 'soak-failed'; environment: string }
  | { kind: 'pinned'; environment: string }
  | { kind: 'stopped'; environment?: string };

export interface StopDecision {
  outcome: Exclude<ReleaseOutcome, 'Promoted'>;
  /** Environments to roll back to what they ran before, in this order (the last promoted first). */
  rollBack: string[];
}

/**
 * What a stop means. A failed deploy already rolled itself back; a failed soak
 * leaves its environment on the new image, so with `rollback` it is rolled back
 * first. A pin or an operator's stop rolls back nothing: a person is in charge.
 */
export function decideStop(plan: Pick<ReleasePlan, 'onFailure'>, stop: Stop, promoted: readonly string[]): StopDecision {
  if (stop.kind === 'pinned') return { outcome: 'Pinned', rollBack: [] };
  if (stop.kind === 'stopped') return { outcome: 'Stopped', rollBack: [] };
  if (plan.onFailure !== 'rollback') return { outcome: 'Failed', rollBack: [] };
  const earlier = promoted.filter((e) => e !== stop.environment).reverse();
  return { outcome: 'Failed', rollBack: stop.kind === 'soak-failed' ? [stop.environment, ...earlier] : earlier };
}

/** The environment phase each kind of stop leaves behind. */
export const STOPPED_PHASE: Record<Stop['kind'], EnvironmentPhase> = {
  'deploy-failed': 'Failed',
  'soak-failed': 'Failed',
  pinned: 'Pinned',
  stopped: 'Stopped',
};

/**
 * A soak watches the serving RC: one that is no longer asked to serve (another
 * RC got replicas, or ours was scaled down or removed) was changed by someone —
 * pinned; one asked to serve but not fully available is unhealthy.
 */
export function soakVerdict(expected: Serving, rcs: readonly { name: string; replicas: number; availableReplicas: number }[]):
  | { ok: true }
  | { ok: false; kind: 'pinned' | 'unhealthy'; message: string } {
  const ours = rcs.find((rc) => rc.name === expected.rc);
  const others = rcs.filter((rc) => rc.name !== expected.rc && rc.replicas > 0);
  if (!ours) return { ok: false, kind: 'pinned', message: `${expected.rc} is gone: someone changed what serves` };
  if (others.length > 0) return { ok: false, kind: 'pinned', message: `${others.map((rc) => rc.name).join(', ')} now serves beside ${expected.rc}: someone rolled back or deployed` };
  if (ours.replicas < expected.replicas) return { ok: false, kind: 'pinned', message: `${expected.rc} was scaled to ${ours.replicas} of ${expected.replicas}` };
  if (ours.availableReplicas < expected.replicas) {
    return { ok: false, kind: 'unhealthy', message: `${expected.rc} has ${ours.availableReplicas} of ${expected.replicas} pods available` };
  }
  return { ok: true };
}
