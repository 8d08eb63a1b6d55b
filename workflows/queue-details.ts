// The Markdown the Temporal UI shows as a queue's current details: what runs
// and what waits for the app's lock, so operators see the pending list there.
import type { QueueView } from './messages.js';

export function renderQueueDetails(q: QueueView): string {
  const lines = [`**${q.name}** → **${q.environment}**: ${q.running ? '1 running' : 'idle'}, ${q.pending.length} waiting`, ''];
  lines.push('| # | ticket | kind | image | requested by | since | policy |', '|---|---|---|---|---|---|---|');
  const cell = (s: string) => s.replace(/[|\n]/g, ' ').slice(0, 120);
  if (q.running) {
    const r = q.running;
    const state = r.deploy ? `running ${r.deploy.workflowId}` : `next (${r.waitingFor ?? 'starting'})`;
    lines.push(`| ${cell(state)} | ${cell(r.ticket)} | ${r.kind} | \`${cell(r.image)}\` | ${cell(r.requestedBy)} | ${r.startedAt ?? r.since} | ${r.policy} |`);
  }
  q.pending.forEach((p, i) => lines.push(`| ${i + 1} | ${cell(p.ticket)} | ${p.kind} | \`${cell(p.image)}\` | ${cell(p.requestedBy)} | ${p.since} | ${p.policy} |`));
  if (!q.running && q.pending.length === 0) lines.push('| — | | | | | | |');
  return lines.join('\n');
}
