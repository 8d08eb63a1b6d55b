// Phases a deploy moves through; also the value of the DeployPhase search attribute,
// so these strings are part of what operators type into Temporal's list filter.

export const PHASES = [
  'Validating',
  'EnsuringSecret',
  'Rendering',
  'Applying',
  'RollingOut',
  'Paused',
  'AwaitingApproval',
  'Stuck',
  'RollingBack',
  // After the last step: the final check, old revisions deleted, the notification.
  'Finishing',
  'Succeeded',
  'RolledBack',
  'Failed',
] as const;

export type Phase = (typeof PHASES)[number];

export const TERMINAL_PHASES = ['Succeeded', 'RolledBack', 'Failed'] as const satisfies readonly Phase[];

export type TerminalPhase = (typeof TERMINAL_PHASES)[number];

export function isPhase(v: unknown): v is Phase {
  return typeof v === 'string' && (PHASES as readonly string[]).includes(v);
}

export function isTerminalPhase(p: Phase): p is TerminalPhase {
  return (TERMINAL_PHASES as readonly Phase[]).includes(p);
}
