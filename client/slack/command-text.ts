// The text after `/deploy`, parsed into what to do. Pure: every mistake
// comes back as a usage message for an ephemeral reply.
import type { OperatorCommand } from '../../workflows/messages.js';

export type SlashCommand =
  | { kind: 'deploy'; app: string; environment: string; image: string }
  | { kind: 'status'; app: string; environment: string }
  | { kind: 'operator'; command: OperatorCommand; app: string; environment: string; reason?: string }
  | { kind: 'help' };

export type Parsed = { ok: true; command: SlashCommand } | { ok: false; message: string };

const OPERATOR_VERBS: readonly OperatorCommand[] = ['rollback', 'retry', 'pause', 'resume', 'approve'];

export function usageText(slash = '/deploy'): string {
  return [
    `\`${slash} <app> <env> <image or :tag>\` start a deploy (the app's spec comes from the configured spec directory)`,
    `\`${slash} status <app> <env>\` where a deploy stands`,
    `\`${slash} rollback|retry|pause|resume|approve <app> <env> [reason]\` act on the running deploy`,
    `\`${slash} help\` this text`,
  ].join('\n');
}

export function parseCommandText(text: string, slash = '/deploy'): Parsed {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  const usage = (problem: string): Parsed => ({ ok: false, message: `${problem}\n${usageText(slash)}` });
  if (first === undefined || first === 'help') return { ok: true, command: { kind: 'help' } };
  if (first === 'release') return { ok: false, message: 'releases are not available from Slack yet: deploy each environment with `' + slash + ' <app> <env> <image>`' };
  if (first === 'status') {
    if (rest.length !== 2) return usage(`\`${slash} status\` takes <app> <env>`);
    return { ok: true, command: { kind: 'status', app: rest[0]!, environment: rest[1]! } };
  }
  if ((OPERATOR_VERBS as readonly string[]).includes(first)) {
    if (rest.length < 2) return usage(`\`${slash} ${first}\` takes <app> <env> [reason]`);
    const reason = rest.slice(2).join(' ').slice(0, 500) || undefined;
    return { ok: true, command: { kind: 'operator', command: first as OperatorCommand, app: rest[0]!, environment: rest[1]!, ...(reason && { reason }) } };
  }
  if (words.length !== 3) return usage(`\`${slash} ${text.trim()}\` is not a command I know`);
  return { ok: true, command: { kind: 'deploy', app: first, environment: rest[0]!, image: rest[1]! } };
}
