// The Markdown the Temporal UI shows as a release's current details: one row
// per environment (phase, image, since, next action) and the operator's next
// command. Pure, so a table test pins it.
import { releaseActionsFor, type EnvironmentProgress, type ReleasePhase } from './release-state.js';

export interface ReleaseView {
  app: string;
  image: string;
  phase: ReleasePhase;
  environments: EnvironmentProgress[];
  message?: string;
}

/** What happens next in one environment, in words. */
export function nextStepOf(env: EnvironmentProgress, index: number, all: readonly EnvironmentProgress[]): string {
  switch (env.phase) {
    case 'Pending':
      return index === 0 ? 'deploy' : `deploy after ${all[index - 1]!.environment}`;
    case 'AwaitingApproval':
      return `\`approve\` to deploy`;
    case 'Deploying':
      return 'wait for the deploy';
    case 'Soaking':
      return env.soakUntil ? `soak ends ${env.soakUntil}` : 'soak';
    case 'Promoted':
      return index === all.length - 1 ? '—' : 'done';
    case 'Failed':
      return env.previous ? `back on ${env.previous.image} after rollback` : 'look at its deploy';
    case 'RolledBack':
      return '—';
    case 'Pinned':
      return 'pinned by a manual change: release again when ready';
    case 'Stopped':
      return '—';
  }
}

export function renderReleaseDetails(view: ReleaseView): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `**${view.phase}** · ${view.app} · \`${view.image}\``,
    '',
    '| environment | phase | image | since | next |',
    '|---|---|---|---|---|',
    ...view.environments.map(
      (e, i) => `| ${e.environment} | ${e.phase} | ${cell(e.image ?? '—')} | ${e.since} | ${cell(nextStepOf(e, i, view.environments))} |`,
    ),
  ];
  const approvals = view.environments.filter((e) => e.approval);
  if (approvals.length > 0) {
    lines.push('', ...approvals.map((e) => `Approved for ${e.environment} by ${cell(e.approval!.by)} at ${e.approval!.at}${e.approval!.reason ? `: ${cell(e.approval!.reason)}` : ''}.`));
  }
  if (view.message) lines.push('', cell(view.message));
  const actions = releaseActionsFor(view.phase);
  if (actions.length > 0) {
    lines.push('', `**Next action**: ${actions.map((a) => `\`deployctl release ${a} ${view.app} --image ${view.image}\``).join(' or ')}`);
  }
  return lines.join('\n');
}
