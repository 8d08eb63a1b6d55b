// Continue-as-new between steps. A step costs about 14 history events, so a
// rollout of thousands of pods one at a time would pass Temporal's limit of
// 51,200 events (and its warning at 10,240) and be terminated mid-rollout.
// Between two steps, when Temporal suggests it or after `maxStepsPerRun`
// steps, the deploy starts a fresh run of itself carrying only what the
// rollout needs: the RCs of both sides with their targets, the step count and
// the operator's record. The new run is admitted again by the worker and
// plans its first step from the cluster, as every step does.
import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import { isMapping } from '../domain/spec-checks.js';
import type { DeployInput, DeployProgress, OperatorAction } from './messages.js';
import type { Member } from './rc-group.js';

/** Under Temporal's warning threshold whatever a step costs (14 events → 7,000 a run). */
export const DEFAULT_MAX_STEPS_PER_RUN = 500;
export const MAX_STEPS_PER_RUN_LIMIT = 1000;

/** What one run hands the next. */
export interface Continuation {
  /** Runs before the one it starts. */
  runs: number;
  stepsDone: number;
  to: Member[];
  from: Member[];
  /** Whether this deploy created the new RC (a rollback then deletes it). */
  created: boolean;
  scaleOnly?: { name: string; original: number };
  actions: OperatorAction[];
  lastError?: DeployProgress['lastError'];
  paused: boolean;
  /** The cluster the deploy is pinned to (its kube-system namespace UID). */
  cluster?: string;
  /** Its steps are one activity each (absent in hand-overs from before: two waits and local scales). */
  oneActivityPerStep?: boolean;
}

export interface ContinueAt {
  input: DeployInput;
  /** Steps done when this run began. */
  stepsAtStart: number;
  limit: number;
  state(stepsDone: number): Continuation;
}

/** Continues as new when this run has done enough steps; otherwise returns. */
export async function continueIfDue(at: ContinueAt, stepsDone: number): Promise<void> {
  const ran = stepsDone - at.stepsAtStart;
  if (ran <= 0 || (ran < at.limit && !workflowInfo().continueAsNewSuggested)) return;
  // An update being handled finishes in this run; the next run answers the ones after.
  await condition(allHandlersFinished);
  await continueAsNew<(input: DeployInput) => Promise<unknown>>({ ...at.input, continued: at.state(stepsDone) });
}

/** Steps this run may still take before it is due to continue as new (at least one). */
export function stepsUntilDue(at: ContinueAt, stepsDone: number): number {
  return Math.max(1, at.stepsAtStart + at.limit - stepsDone);
}

/** The input's step limit per run, or the default: read defensively, the input is untrusted. */
export function maxStepsPerRun(input: unknown): number {
  const v = isMapping(input) ? input.maxStepsPerRun : undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_STEPS_PER_RUN_LIMIT ? v : DEFAULT_MAX_STEPS_PER_RUN;
}

/** The continuation an input carries, if it is well formed (a malformed one is a refusal, not a guess). */
export function readContinuation(input: unknown): Continuation | undefined | 'malformed' {
  const raw = isMapping(input) ? input.continued : undefined;
  if (raw === undefined) return undefined;
  if (!isMapping(raw)) return 'malformed';
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const members = (v: unknown): v is Member[] =>
    Array.isArray(v) &&
    v.length <= 100 &&
    v.every((m) => isMapping(m) && typeof m.name === 'string' && count(m.revision) && count(m.replicas) && count(m.target));
  if (!count(raw.runs) || !count(raw.stepsDone) || !members(raw.to) || raw.to.length !== 1 || !members(raw.from)) return 'malformed';
  if (typeof raw.created !== 'boolean' || typeof raw.paused !== 'boolean' || !Array.isArray(raw.actions)) return 'malformed';
  return raw as unknown as Continuation;
}
