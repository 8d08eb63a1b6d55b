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

/**
 * Temporal refused the request (gRPC PermissionDenied): the credentials in use
 * lack the permission in that namespace. Exit 4, like any other "Temporal will
 * not do it for you" failure, with what was refused and where.
 */
export class PermissionDeniedError extends CliError {
  constructor(
    readonly namespace: string,
    readonly address: string,
    readonly reason: string,
    readonly profile?: string,
  ) {
    super(
      `Temporal refused the request in namespace "${namespace}" at ${address}: ${reason} (PermissionDenied; ` +
        `the credentials of ${profile ? `Temporal profile "${profile}"` : 'TEMPORAL_API_KEY / the active profile'} do not allow it there)`,
      EXIT.unreachable,
    );
  }
}
