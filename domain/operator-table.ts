// Which operator command makes sense in which phase: one table, read both by
// the update validators (a refusal names the reason) and by everything that
// shows "next actions" (the progress query, the UI's details, Slack buttons).
import { isTerminalPhase, type Phase } from './phases.js';

export const OPERATOR_COMMANDS = ['retry', 'rollback', 'pause', 'resume', 'approve'] as const;
export type OperatorCommand = (typeof OPERATOR_COMMANDS)[number];

/** `true`: accepted; a string: refused, for this reason. */
type Verdicts = Record<OperatorCommand, true | string>;

const NOT_STUCK = 'retry needs a stuck deploy (nothing has failed)';
const NO_GATE = 'no approval gate is open';
const NOT_ROLLING = 'only a rolling-out deploy can be paused';
const NOT_PAUSED = 'the deploy is not paused';
const FINISHING = 'the rollout is complete: the deploy is deleting old revisions and reporting';

// Before the rollout, a rollback ends the deploy at its first step, before anything is scaled.
const BEFORE: Verdicts = { retry: NOT_STUCK, rollback: true, pause: NOT_ROLLING, resume: NOT_PAUSED, approve: NO_GATE };

const ended = (phase: Phase): Verdicts => {
  const reason = `the deploy has ended (${phase})`;
  return { retry: reason, rollback: reason, pause: reason, resume: reason, approve: reason };
};

const TABLE: Record<Phase, Verdicts> = {
  Validating: BEFORE,
  EnsuringSecret: BEFORE,
  Rendering: BEFORE,
  Applying: { retry: NOT_STUCK, rollback: true, pause: true, resume: NOT_PAUSED, approve: NO_GATE },
  RollingOut: { retry: NOT_STUCK, rollback: true, pause: true, resume: NOT_PAUSED, approve: NO_GATE },
  Paused: { retry: NOT_STUCK, rollback: true, pause: 'the deploy is already paused', resume: true, approve: NO_GATE },
  AwaitingApproval: { retry: NOT_STUCK, rollback: true, pause: 'the rollout is already held at its approval gate', resume: NOT_PAUSED, approve: true },
  Stuck: { retry: true, rollback: true, pause: 'a stuck deploy is already held (retry or roll back)', resume: NOT_PAUSED, approve: NO_GATE },
  RollingBack: {
    retry: 'the deploy is rolling back',
    rollback: 'the deploy is already rolling back',
    pause: 'a rollback is not paused: it runs to the end',
    resume: NOT_PAUSED,
    approve: NO_GATE,
  },
  Finishing: { retry: FINISHING, rollback: FINISHING, pause: FINISHING, resume: NOT_PAUSED, approve: NO_GATE },
  Succeeded: ended('Succeeded'),
  RolledBack: ended('RolledBack'),
  Failed: ended('Failed'),
};

/**
 * The verdict on `command` in `phase`. `paused` is the pause flag, which can be
 * set while the phase still says RollingOut (the pause takes hold before the next step).
 */
export function operatorVerdict(command: OperatorCommand, phase: Phase, paused: boolean): true | string {
  if (paused && !isTerminalPhase(phase)) {
    if (command === 'pause') return 'the deploy is already paused';
    if (command === 'resume') return true;
  }
  return TABLE[phase][command];
}

/** The way forward first, rollback last: the UI suggests the first one. */
const SUGGESTION_ORDER: readonly OperatorCommand[] = ['retry', 'approve', 'resume', 'pause', 'rollback'];

/** What an operator can do now. */
export function nextActionsFor(phase: Phase, paused: boolean): OperatorCommand[] {
  return SUGGESTION_ORDER.filter((command) => operatorVerdict(command, phase, paused) === true);
}
