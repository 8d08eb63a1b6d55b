// What a Slack request does once it is verified and parsed: resolve the app
// (its spec from the spec directory), check who may do it, then start a
// deploy or send an operator update through the same client library as
// deployctl, with the Slack user as the requester recorded in history.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { describeIssue, InvalidSpecError } from '../../domain/errors.js';
import { parseWorkflowId, validateEnvironmentName, workflowIdFor } from '../../domain/names.js';
import type { AppSpec } from '../../domain/spec.js';
import { prepareDeploy, startPrepared, type PreparedDeploy } from '../api.js';
import { deployInfoOf } from '../deploy-info.js';
import { CliError, DeployAlreadyRunningError } from '../errors.js';
import type { FoundDeploy } from '../find-deploy.js';
import { requestOperatorUpdate } from '../operator-update.js';
import type { SlackConfig } from './config.js';
import type { SlashCommand } from './command-text.js';
import { readDeployView, renderFor, type FollowInput } from './follower.js';
import type { SlackMessage } from './message.js';
import { decide, groupsOf, needsConfirmation, type SlackAction, type Verdict } from './permissions.js';
import { slackRequester } from './requester.js';
import { appSpecFor } from './specs.js';

export const FOLLOW_WORKFLOW = 'followDeployMessage';

export interface SlackActor {
  userId: string;
  name?: string;
}

export interface OperationDeps {
  config: SlackConfig;
  temporal: Client;
  namespace: string;
  /** Members of a Slack user group (cached by the caller). */
  membersOf(usergroup: string): Promise<ReadonlySet<string>>;
}

/** A command with everything resolved locally: the spec, the environment, the workflow id. */
export interface Resolved {
  command: Exclude<SlashCommand, { kind: 'help' }>;
  action: SlackAction;
  spec: AppSpec;
  environment: string;
  workflowId: string;
  /** For a deploy: the checked workflow input (prepared before anything is contacted). */
  prepared?: PreparedDeploy;
}

export type Reply = { text: string; blocks?: SlackMessage['blocks'] };

/** Throws InvalidSpecError naming the field: unknown app, bad environment name, bad image. */
export function resolveCommand(config: SlackConfig, command: Resolved['command'], actor: SlackActor): Resolved {
  const spec = appSpecFor(config.specDir, command.app);
  const environment = validateEnvironmentName(command.environment);
  const workflowId = workflowIdFor(environment, spec.namespace, spec.name);
  const action: SlackAction = command.kind === 'operator' ? command.command : command.kind;
  const prepared =
    command.kind === 'deploy'
      ? prepareDeploy({ spec, environment, image: command.image, requestedBy: slackRequester(actor.userId, actor.name), labelPolicy: config.labelPolicy })
      : undefined;
  return { command, action, spec, environment, workflowId, prepared };
}

export async function authorize(deps: OperationDeps, actor: SlackActor, action: SlackAction, environment: string, deployRequestedBy?: string): Promise<Verdict> {
  const groups = await groupsOf(deps.config.permissions, actor.userId, deps.membersOf);
  return decide(deps.config.permissions, { userId: actor.userId, groups }, action, environment, deployRequestedBy);
}

/** The running (or last) deploy a command is about; undefined when there never was one. */
export async function currentDeploy(deps: OperationDeps, workflowId: string, runId?: string): Promise<FoundDeploy | undefined> {
  const handle = deps.temporal.workflow.getHandle(workflowId, runId);
  try {
    return { handle, description: await handle.describe() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

export function requesterOf(found: FoundDeploy | undefined): string | undefined {
  return found ? deployInfoOf(found.description).requestedBy || undefined : undefined;
}

export function confirmationNeeded(deps: OperationDeps, resolved: Resolved): boolean {
  return resolved.action !== 'status' && needsConfirmation(deps.config.permissions, resolved.environment);
}

/** Carries out an authorized command; the reply goes to the person who asked. */
export async function perform(deps: OperationDeps, actor: SlackActor, resolved: Resolved, channel: string): Promise<Reply> {
  const { command } = resolved;
  const where = `*${resolved.spec.name}* in *${resolved.environment}*`;
  try {
    if (command.kind === 'deploy') return await startFromSlack(deps, resolved, channel);
    const found = await currentDeploy(deps, resolved.workflowId);
    if (!found) return { text: `no deploy of ${where} yet` };
    if (command.kind === 'status') {
      const view = await readDeployView(deps.temporal, { ...followTarget(found), app: resolved.spec.name, environment: resolved.environment });
      return renderFor(renderDeps(deps), view, { buttons: false });
    }
    const request = { requestedBy: slackRequester(actor.userId, actor.name), reason: command.reason ?? `/deploy ${command.command} from Slack` };
    const outcome = await requestOperatorUpdate(deps.temporal, found, command.command, request, resolved.environment);
    return outcome.accepted
      ? { text: `${command.command} ${where}: ${outcome.answer.message} (phase ${outcome.answer.phase})` }
      : { text: `:no_entry: ${command.command} refused for ${where}: ${outcome.message}` };
  } catch (err) {
    return { text: `:x: ${failureText(err, resolved)}` };
  }
}

async function startFromSlack(deps: OperationDeps, resolved: Resolved, channel: string): Promise<Reply> {
  const prepared = resolved.prepared!;
  const handle = await startPrepared(deps.temporal, prepared);
  const input: FollowInput = {
    workflowId: handle.workflowId,
    runId: handle.firstExecutionRunId,
    app: prepared.meta.app,
    environment: resolved.environment,
    channel,
  };
  // One follower (and so one message) per deploy run, whoever asks twice.
  await deps.temporal.workflow.start(FOLLOW_WORKFLOW, {
    taskQueue: deps.config.taskQueue,
    workflowId: `slack-message/${handle.workflowId}/${handle.firstExecutionRunId}`,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Slack message of ${handle.workflowId}`,
  });
  return { text: `deploying \`${prepared.meta.image}\` to *${resolved.environment}*: the message below follows it` };
}

export function renderDeps(deps: OperationDeps) {
  return { namespace: deps.namespace, permissions: deps.config.permissions, uiUrl: deps.config.uiUrl };
}

function followTarget(found: FoundDeploy): Pick<FollowInput, 'workflowId' | 'runId'> {
  return { workflowId: found.description.workflowId, runId: found.description.runId };
}

/** The environment a button's workflow id names (buttons carry ids, not environments). */
export function environmentOf(workflowId: string): string | undefined {
  return parseWorkflowId(workflowId)?.environment;
}

export function failureText(err: unknown, resolved?: Pick<Resolved, 'spec' | 'environment'>): string {
  if (err instanceof InvalidSpecError) return err.issues.map(describeIssue).join('; ');
  if (err instanceof DeployAlreadyRunningError && resolved) {
    return `another deploy of ${resolved.spec.name} is running in ${resolved.environment}: wait for it, or roll it back first`;
  }
  if (err instanceof CliError) return err.message;
  if (!(err instanceof Error)) return String(err);
  // The SDK's errors say what failed ("Failed to start Workflow"); their cause says why.
  const cause = err.cause instanceof Error ? `: ${err.cause.message.split('\n')[0]}` : '';
  return err.message.split('\n')[0]! + cause;
}
