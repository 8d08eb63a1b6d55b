// The Markdown the Temporal UI shows as the deploy's current details: a
// progress table and the next thing an operator can do.
import type { DeployProgress, OperatorCommand } from './messages.js';

const HINTS: Record<OperatorCommand, string> = {
  retry: 'retry the stalled step',
  rollback: 'roll back to the previous revision',
  pause: 'pause between steps',
  resume: 'resume the rollout',
  approve: 'approve the canary and continue',
};

export function renderDetails(p: DeployProgress): string {
  const lines = [
    `**${p.phase}** · step ${p.step} of ${p.totalSteps || '?'} · ${p.app} → ${p.environment}`,
    '',
    '| RC | revision | replicas | available |',
    '|---|---|---|---|',
  ];
  if (p.newRc) lines.push(`| ${p.newRc.name} (new) | ${p.newRc.revision} | ${p.newRc.replicas} | ${p.newRc.available} |`);
  for (const rc of p.oldRcs) lines.push(`| ${rc.name} (old) | ${rc.revision} | ${rc.replicas} | ${rc.available} |`);
  if (!p.newRc && p.oldRcs.length === 0) lines.push('| — | | | |');
  lines.push('');
  if (p.waitingFor) lines.push(`Waiting for ${p.waitingFor.what} since ${p.waitingFor.since}.`);
  if (p.lastError) lines.push(`Last error: \`${p.lastError.type}\` ${p.lastError.reason ? `(${p.lastError.reason}) ` : ''}${p.lastError.message}`);
  if (p.nextActions.length > 0) {
    lines.push('', '**Next action**: ' + p.nextActions.map((a) => `\`${a}\` (${HINTS[a]})`).join(', '));
    lines.push('', `Send it with *More Actions → Send an Update*, or \`deployctl ${p.nextActions[0]} ${p.app} --env ${p.environment}\`.`);
  }
  return lines.join('\n');
}
