// The one Slack message of a deploy, rendered from where the deploy stands:
// the live view's lines (phase, step k of n, ready bars, the pods' reason) in
// a code block, a link to the run in the Temporal UI, and the buttons an
// operator can use now. Pure, so tests read exactly what Slack is sent.
import type { types } from '@slack/bolt';
import { isTerminalPhase } from '../../domain/phases.js';
import type { DeployResult, OperatorCommand } from '../../workflows/messages.js';
import { frameLines, type LiveSnapshot } from '../live-view.js';

export interface DeployView {
  workflowId: string;
  runId: string;
  app: string;
  environment: string;
  snapshot: LiveSnapshot;
  /** Set once the run has ended. */
  result?: DeployResult;
}

export interface RenderOptions {
  uiUrl?: string;
  /** Buttons ask for confirmation first (production). Roll back always does. */
  confirm: boolean;
  /** False for ephemeral status replies (they cannot be edited when a button is clicked). */
  buttons: boolean;
}

export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** What a button carries back: which run it is about (a later deploy of the app is another run). */
export interface ButtonValue {
  w: string;
  r: string;
}

export const ACTION_PREFIX = 'deployflow_';

/** Buttons shown for the actions the deploy allows now; pause stays a command (a button too easy to hit by mistake). */
const BUTTONS: Array<{ command: OperatorCommand; label: string; style?: 'primary' | 'danger' }> = [
  { command: 'approve', label: 'Approve', style: 'primary' },
  { command: 'retry', label: 'Retry' },
  { command: 'resume', label: 'Resume' },
  { command: 'rollback', label: 'Roll back', style: 'danger' },
];

const ICONS: Record<string, string> = {
  Succeeded: ':white_check_mark:',
  Unchanged: ':white_check_mark:',
  Scaled: ':white_check_mark:',
  RolledBack: ':leftwards_arrow_with_hook:',
  Failed: ':x:',
  Stuck: ':warning:',
  AwaitingApproval: ':raised_hand:',
  Paused: ':double_vertical_bar:',
  RollingBack: ':leftwards_arrow_with_hook:',
};

export function renderDeployMessage(view: DeployView, options: RenderOptions): SlackMessage {
  const p = view.snapshot.progress;
  const image = view.result?.image || p?.image || '';
  const state = view.result?.outcome ?? p?.phase ?? 'Starting';
  const icon = ICONS[state] ?? ':rocket:';
  const headline = `${icon} *${view.app}* → *${view.environment}*${image ? `: \`${image}\`` : ''}`;
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: headline } }];

  // After the end the live lines are shown only if they are the final ones.
  const live = view.result && !(p && isTerminalPhase(p.phase)) ? [] : frameLines(view.snapshot, view.environment, { commandHints: false });
  if (live.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '```' + live.join('\n') + '```' } });
  if (view.result) {
    const r = view.result;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${r.outcome}*: ${r.message}${r.reason ? ` (${r.reason})` : ''}` } });
  }

  const context = [`requested by ${p?.requestedBy ?? 'unknown'}`, `\`${view.workflowId}\``];
  if (options.uiUrl) context.push(`<${options.uiUrl}|Open in Temporal>`);
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) });

  const actions = !view.result && options.buttons && p ? buttonsFor(view, p.nextActions, options.confirm) : [];
  if (actions.length > 0) blocks.push({ type: 'actions', block_id: 'deployflow_actions', elements: actions });

  const step = p && p.totalSteps > 0 && !view.result ? ` · step ${p.step}/${p.totalSteps}` : '';
  return { text: `${view.app} → ${view.environment}: ${state}${step}${image ? ` (${image})` : ''}`, blocks };
}

function buttonsFor(view: DeployView, nextActions: OperatorCommand[], confirmAll: boolean): types.Button[] {
  const value = JSON.stringify({ w: view.workflowId, r: view.runId } satisfies ButtonValue);
  return BUTTONS.filter((b) => nextActions.includes(b.command)).map((b) => ({
    type: 'button',
    action_id: `${ACTION_PREFIX}${b.command}`,
    text: { type: 'plain_text', text: b.label },
    value,
    ...(b.style && { style: b.style }),
    ...((confirmAll || b.command === 'rollback') && { confirm: confirmation(b.command, b.label, view) }),
  }));
}

function confirmation(command: OperatorCommand, label: string, view: DeployView): types.ConfirmationDialog {
  return {
    title: { type: 'plain_text', text: `${label} in ${view.environment}?`.slice(0, 100) },
    text: { type: 'mrkdwn', text: `${label} the deploy of *${view.app}* in *${view.environment}*. This is recorded under your name.` },
    confirm: { type: 'plain_text', text: label },
    deny: { type: 'plain_text', text: 'Cancel' },
    ...(command === 'rollback' && { style: 'danger' as const }),
  };
}

export function parseButtonValue(value: unknown): ButtonValue | undefined {
  if (typeof value !== 'string' || value.length > 500) return undefined;
  try {
    const v = JSON.parse(value) as Partial<ButtonValue>;
    return typeof v.w === 'string' && typeof v.r === 'string' && /^[0-9a-f-]{36}$/.test(v.r) ? { w: v.w, r: v.r } : undefined;
  } catch {
    return undefined;
  }
}
