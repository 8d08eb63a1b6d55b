// The library API for releases: check a release locally, start it on the
// release worker's queue, find it, wait for its result.
//   const handle = await startRelease(client, prepareRelease({ spec, image, through: 'staging,production' }));
//   const result = await waitForRelease(handle);   // result.outcome: 'Promoted' | 'Failed' | 'Pinned' | 'Stopped'
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { AppSpec } from '../domain/spec.js';
import type { LabelPolicy } from '../domain/label-policy.js';
import type { WorkerPolicy } from '../domain/worker-policy.js';
import { checkDeploy } from '../domain/check-deploy.js';
import { checkReleasePlan, RELEASE_TASK_QUEUE, releaseIdFor, type ReleasePlanFields } from '../domain/release-plan.js';
import { RELEASE_WORKFLOW, releaseSearchAttributeKeys, type ReleaseInput, type ReleaseResult } from '../workflows/release-messages.js';
import { CliError, EXIT } from './errors.js';

export interface ReleaseRequest extends ReleasePlanFields {
  spec: AppSpec;
  image: string;
  requestedBy?: string;
  source?: string;
  labelPolicy?: LabelPolicy;
  workerPolicy?: WorkerPolicy;
}

export type ReleaseWorkflow = (input: ReleaseInput) => Promise<ReleaseResult>;
export type ReleaseHandle = WorkflowHandle<ReleaseWorkflow>;

export interface PreparedRelease {
  releaseId: string;
  input: ReleaseInput;
}

/** Every check that needs no server (throws InvalidSpecError): the plan, and the spec and image as the first environment would check them. */
export function prepareRelease(request: ReleaseRequest): PreparedRelease {
  const plan = checkReleasePlan(request);
  const checked = checkDeploy({
    spec: request.spec,
    environment: plan.environments[0],
    image: request.image,
    requestedBy: request.requestedBy ?? 'unknown',
    source: request.source,
    labelPolicy: request.labelPolicy,
    workerPolicy: request.workerPolicy,
  });
  const input: ReleaseInput = {
    spec: checked.spec,
    image: checked.image,
    plan,
    requestedBy: checked.requestedBy,
    ...(checked.source && { source: checked.source }),
    ...(request.labelPolicy && { labelPolicy: request.labelPolicy }),
  };
  return { releaseId: releaseIdFor(checked.spec.name, checked.image), input };
}

export class ReleaseAlreadyRunningError extends CliError {
  constructor(readonly releaseId: string) {
    super(`this release is already running (${releaseId}); follow it with deployctl release status`, EXIT.alreadyRunning);
  }
}

export async function startRelease(client: Client, prepared: PreparedRelease, options: { taskQueue?: string } = {}): Promise<ReleaseHandle> {
  const { input, releaseId } = prepared;
  const { plan } = input;
  try {
    return await client.workflow.start<ReleaseWorkflow>(RELEASE_WORKFLOW, {
      workflowId: releaseId,
      taskQueue: options.taskQueue ?? RELEASE_TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: releaseSearchAttributeKeys.app, value: input.spec.name },
        { key: releaseSearchAttributeKeys.image, value: input.image },
        { key: releaseSearchAttributeKeys.phase, value: 'Starting' },
        { key: releaseSearchAttributeKeys.awaitingApproval, value: '' },
        { key: releaseSearchAttributeKeys.requestedBy, value: input.requestedBy },
      ],
      staticSummary: `release ${input.spec.name}: ${input.image} → ${plan.environments.join(' → ')}`.slice(0, 400),
      staticDetails: [
        `**${input.spec.name}** \`${input.image}\` through ${plan.environments.map((e) => `**${e}**`).join(' → ')}`,
        '',
        `- soak: ${plan.soakSeconds}s after each environment`,
        `- approval before: ${plan.approve.join(', ') || 'none'}`,
        `- on failure: ${plan.onFailure}`,
        `- requested by: ${input.requestedBy}`,
        ...(input.source ? [`- source: ${input.source}`] : []),
      ].join('\n'),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ReleaseAlreadyRunningError(releaseId);
    throw err;
  }
}

/** A release's id from what operators type: the id itself, or the app and image. */
export function releaseIdOf(nameOrId: string, image: string | undefined): string {
  if (nameOrId.startsWith('release/')) return nameOrId;
  if (!image) throw new CliError(`deployctl release: --image is required with an app name (or pass the release id, release/${nameOrId}/IMAGE)`, EXIT.invalidInput);
  return releaseIdFor(nameOrId, image);
}

/** Waits for the release to end; Failed, Pinned and Stopped come back as results, not exceptions. */
export async function waitForRelease(handle: ReleaseHandle): Promise<ReleaseResult> {
  try {
    return await handle.result();
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.details?.[0]) return cause.details[0] as ReleaseResult;
    const [, app = '', ...image] = handle.workflowId.split('/');
    return {
      outcome: cause instanceof CancelledFailure ? 'Stopped' : 'Failed',
      releaseId: handle.workflowId,
      app,
      image: image.join('/'),
      environments: [],
      message: cause?.message ?? err.message,
    };
  }
}

export function releaseExitCode(result: Pick<ReleaseResult, 'outcome'>): number {
  return result.outcome === 'Promoted' ? EXIT.ok : EXIT.failed;
}
