// Strategy validation, including the checks that depend on the rest of the spec:
// surge/unavailable resolving to zero (needs replicas) and the perNode limits.
import type { StrategySpec } from './spec.js';
import { parseIntOrPercent, scaledValue, type IntOrPercent } from './int-or-percent.js';
import { checkInt, checkKnownKeys, isMapping, optionalEnum, optionalInt, type Issues, type Mapping } from './spec-checks.js';

const STRATEGY_KEYS = [
  'maxSurge', 'maxUnavailable', 'minReadySeconds', 'progressDeadlineSeconds', 'onFailure', 'decisionTimeoutSeconds', 'approval',
  'approvalTimeoutSeconds', 'maxPauseSeconds',
] as const;
const INT_OR_PERCENT_RULE = 'must be a non-negative integer or a percentage like "25%"';

export const STRATEGY_DEFAULTS: StrategySpec = {
  maxSurge: 1,
  maxUnavailable: 0,
  minReadySeconds: 0,
  progressDeadlineSeconds: 300,
  onFailure: 'rollback',
  decisionTimeoutSeconds: 3600,
  approval: 'none',
};

/**
 * How long a deploy holds its app's lock waiting for a person: the approval gate
 * and a pause end in a rollback after these, never in a lock held forever. Not
 * in STRATEGY_DEFAULTS: a spec that does not name them stays byte for byte what
 * it was (its RCs' app-spec annotation, replayed histories).
 */
export const HOLD_DEFAULTS = { approvalTimeoutSeconds: 86400, maxPauseSeconds: 86400 } as const;

/** Longest hold a spec may ask for: a deploy's whole execution is bounded by seven days. */
const MAX_HOLD_SECONDS = 6 * 86400;

export function holdLimits(strategy: Pick<StrategySpec, 'approvalTimeoutSeconds' | 'maxPauseSeconds'>): { approvalTimeoutSeconds: number; maxPauseSeconds: number } {
  return {
    approvalTimeoutSeconds: strategy.approvalTimeoutSeconds ?? HOLD_DEFAULTS.approvalTimeoutSeconds,
    maxPauseSeconds: strategy.maxPauseSeconds ?? HOLD_DEFAULTS.maxPauseSeconds,
  };
}

/** perNode pods hold a hostPort, so a second pod cannot start on a node until the first is gone. */
export const PER_NODE_DEFAULTS = { maxSurge: 0, maxUnavailable: 1 } as const;

export interface StrategyContext {
  /** undefined when replicas itself is invalid: the zero check is then skipped. */
  replicas: number | undefined;
  perNode: boolean;
}

export function validateStrategy(raw: unknown, ctx: StrategyContext, issues: Issues): StrategySpec {
  let m: Mapping = {};
  if (isMapping(raw)) m = raw;
  else if (raw !== undefined) issues.add('strategy', 'must be a mapping');
  checkKnownKeys(m, STRATEGY_KEYS, 'strategy', issues);

  const defaults = ctx.perNode ? { ...STRATEGY_DEFAULTS, ...PER_NODE_DEFAULTS } : STRATEGY_DEFAULTS;
  const maxSurge = intOrPercent(m.maxSurge, 'strategy.maxSurge', defaults.maxSurge, issues);
  const maxUnavailable = intOrPercent(m.maxUnavailable, 'strategy.maxUnavailable', defaults.maxUnavailable, issues);
  if (maxSurge && maxUnavailable) {
    if (ctx.perNode) checkPerNodeLimits(maxSurge, maxUnavailable, issues);
    else checkNotBothZero(maxSurge, maxUnavailable, ctx.replicas, issues);
  }

  const minReadySeconds = optionalInt(m.minReadySeconds, 'strategy.minReadySeconds', { min: 0, max: 3600 }, defaults.minReadySeconds, issues);
  const progressDeadlineSeconds = optionalInt(
    m.progressDeadlineSeconds, 'strategy.progressDeadlineSeconds', { min: 1, max: 86400 }, defaults.progressDeadlineSeconds, issues,
  );
  // A pod needs minReadySeconds to count as progress; a shorter deadline always stalls.
  if (minReadySeconds !== undefined && progressDeadlineSeconds !== undefined && progressDeadlineSeconds <= minReadySeconds) {
    issues.add('strategy.progressDeadlineSeconds', `must be greater than strategy.minReadySeconds (${minReadySeconds})`);
  }
  const decisionTimeoutSeconds = optionalInt(
    m.decisionTimeoutSeconds, 'strategy.decisionTimeoutSeconds', { min: 1, max: 604800 }, defaults.decisionTimeoutSeconds, issues,
  );
  const onFailure = optionalEnum(m.onFailure, 'strategy.onFailure', ['rollback', 'wait'] as const, defaults.onFailure, issues);
  const approval = optionalEnum(m.approval, 'strategy.approval', ['none', 'after-first-step'] as const, defaults.approval, issues);
  const hold = { min: 1, max: MAX_HOLD_SECONDS };
  const approvalTimeoutSeconds = m.approvalTimeoutSeconds === undefined ? undefined : checkInt(m.approvalTimeoutSeconds, 'strategy.approvalTimeoutSeconds', hold, issues);
  const maxPauseSeconds = m.maxPauseSeconds === undefined ? undefined : checkInt(m.maxPauseSeconds, 'strategy.maxPauseSeconds', hold, issues);

  return {
    maxSurge: maxSurge ? asWritten(maxSurge) : defaults.maxSurge,
    maxUnavailable: maxUnavailable ? asWritten(maxUnavailable) : defaults.maxUnavailable,
    minReadySeconds: minReadySeconds ?? defaults.minReadySeconds,
    progressDeadlineSeconds: progressDeadlineSeconds ?? defaults.progressDeadlineSeconds,
    onFailure: onFailure ?? defaults.onFailure,
    decisionTimeoutSeconds: decisionTimeoutSeconds ?? defaults.decisionTimeoutSeconds,
    approval: approval ?? defaults.approval,
    ...(approvalTimeoutSeconds !== undefined && { approvalTimeoutSeconds }),
    ...(maxPauseSeconds !== undefined && { maxPauseSeconds }),
  };
}

function intOrPercent(v: unknown, field: string, fallback: number | string, issues: Issues): IntOrPercent | undefined {
  const parsed = parseIntOrPercent(v === undefined ? fallback : v);
  return parsed ?? issues.add(field, INT_OR_PERCENT_RULE);
}

function asWritten(v: IntOrPercent): number | string {
  return v.kind === 'int' ? v.value : `${v.value}%`;
}

function checkNotBothZero(surge: IntOrPercent, unavailable: IntOrPercent, replicas: number | undefined, issues: Issues): void {
  const literallyZero = surge.value === 0 && unavailable.value === 0;
  // Percentages can round to 0 on few replicas (0 and "25%" of 3), leaving the rollout no room to move.
  const resolvesToZero =
    replicas !== undefined && replicas > 0 && scaledValue(surge, replicas, 'up') === 0 && scaledValue(unavailable, replicas, 'down') === 0;
  if (literallyZero || resolvesToZero) issues.add('strategy', 'maxSurge and maxUnavailable cannot both be 0');
}

function checkPerNodeLimits(surge: IntOrPercent, unavailable: IntOrPercent, issues: Issues): void {
  if (surge.value > 0) {
    issues.add('strategy.maxSurge', 'must be 0 when perNode is true (a surge pod cannot schedule beside the old one on its hostPort)');
  }
  // Replicas follow the node count, unknown until deploy time, so a percentage could round to 0.
  if (unavailable.kind === 'percent') {
    issues.add('strategy.maxUnavailable', 'must be an integer when perNode is true (a percentage of a small node count can round down to 0)');
  } else if (unavailable.value < 1) {
    issues.add('strategy.maxUnavailable', 'must be at least 1 when perNode is true (without surge, old pods must go before new ones can start)');
  }
}
