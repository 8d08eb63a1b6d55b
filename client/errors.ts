// deployctl's exit codes (DESIGN.md §5) and the error that carries one.
export const EXIT = {
  ok: 0,
  failed: 1,
  invalidInput: 2,
  alreadyRunning: 3,
  unreachable: 4,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export class DeployAlreadyRunningError extends CliError {
  constructor(readonly workflowId: string) {
    super(`another deploy of this app is running (${workflowId}); wait for it, or pass --supersede to roll it back and go next`, EXIT.alreadyRunning);
  }
}
