// The Slack app's configuration, in one typed read-only object built at start:
// flag, then environment, then the config file, then the default. The bot
// token and signing secret come from the environment or from files (a mounted
// Kubernetes Secret), never from the config file itself, which is meant to be
// committed; they are held in Secret wrappers that print as [redacted].
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import yaml from 'js-yaml';
import { InvalidSpecError, type SpecIssue } from '../../domain/errors.js';
import type { LabelPolicy } from '../../domain/label-policy.js';
import { loadLabelPolicyFile } from '../label-policy-file.js';
import { parsePermissions, type Permissions } from './permissions.js';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

export interface SlackConfig {
  botToken: Secret;
  signingSecret: Secret;
  /** Where `<app>.yaml` specs are read from: never from the message. */
  specDir: string;
  port: number;
  host: string;
  /** The slash command as created in the Slack app. */
  command: string;
  /** The Slack app's own Temporal task queue (the message followers). */
  taskQueue: string;
  /** Slack's Web API base URL (a proxy, or a local stand-in in tests). */
  slackApiUrl?: string;
  /** Temporal Web UI base URL, for links. */
  uiUrl?: string;
  labelPolicy?: LabelPolicy;
  permissions: Permissions;
}

export const SLACK_CONFIG_ENV = 'DEPLOYFLOW_SLACK_CONFIG';
const FILE_KEYS = ['specDir', 'port', 'host', 'command', 'taskQueue', 'slackApiUrl', 'botTokenFile', 'signingSecretFile', 'labelPolicy', 'permissions'];

export interface SlackFlags {
  config?: string;
  port?: string;
  host?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadSlackConfig(flags: SlackFlags, env: Env): SlackConfig {
  const file = flags.config ?? env[SLACK_CONFIG_ENV];
  if (!file) throw new InvalidSpecError([{ field: '--config', rule: `is required (or ${SLACK_CONFIG_ENV}): the spec directory and the permissions live there` }]);
  let raw: unknown;
  try {
    raw = yaml.load(fs.readFileSync(file, 'utf8'), { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (err) {
    throw new InvalidSpecError([{ field: file, rule: `cannot be read as YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
  return parseSlackConfig(raw, { file, flags, env });
}

export function parseSlackConfig(raw: unknown, { file, flags = {}, env }: { file: string; flags?: SlackFlags; env: Env }): SlackConfig {
  const issues: SpecIssue[] = [];
  const bad = (field: string, rule: string) => issues.push({ field: `${file}: ${field}`, rule });
  const o = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : (bad('(top)', 'must be a mapping'), {});
  for (const key of Object.keys(o)) if (!FILE_KEYS.includes(key)) bad(key, `is not a known key (${FILE_KEYS.join(', ')})`);
  for (const key of ['botToken', 'signingSecret']) if (key in o) bad(key, `secrets do not belong in the config file: use ${key}File or the environment`);
  const dir = path.dirname(file);
  const str = (key: string): string | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') return void bad(key, 'must be a non-empty string');
    return v;
  };

  const specDirRaw = str('specDir');
  const specDir = specDirRaw === undefined ? (bad('specDir', 'is required: the directory of <app>.yaml specs'), '') : path.resolve(dir, specDirRaw);
  if (specDir && !fs.existsSync(specDir)) bad('specDir', `${specDir} does not exist`);

  const portRaw = flags.port ?? env.PORT ?? (o.port === undefined ? '3000' : String(o.port));
  const port = /^\d{1,5}$/.test(portRaw) && Number(portRaw) <= 65535 ? Number(portRaw) : (bad('port', `must be 0-65535, not "${portRaw}"`), 0);
  const command = str('command') ?? '/deploy';
  if (!/^\/[a-z0-9_-]{1,31}$/.test(command)) bad('command', 'must be a slash command like /deploy');
  const taskQueue = str('taskQueue') ?? 'slack';

  const secret = (name: string, envVar: string, fileKey: string): Secret => {
    const inline = env[envVar];
    const from = env[`${envVar}_FILE`] ?? str(fileKey);
    if (inline) return new Secret(inline);
    if (from) {
      try {
        const value = fs.readFileSync(path.resolve(dir, from), 'utf8').trim();
        if (value) return new Secret(value);
        bad(fileKey, `${from} is empty`);
      } catch {
        bad(fileKey, `${from} cannot be read`);
      }
    } else bad(name, `is required: set ${envVar}, ${envVar}_FILE or ${fileKey}`);
    return new Secret('');
  };
  const botToken = secret('botToken', 'SLACK_BOT_TOKEN', 'botTokenFile');
  const signingSecret = secret('signingSecret', 'SLACK_SIGNING_SECRET', 'signingSecretFile');

  let permissions: Permissions | undefined;
  try {
    permissions = parsePermissions(o.permissions, `${file}: permissions`);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    issues.push(...err.issues);
  }
  const policyFile = str('labelPolicy');
  let labelPolicy: LabelPolicy | undefined;
  if (policyFile) {
    try {
      labelPolicy = loadLabelPolicyFile(path.resolve(dir, policyFile));
    } catch (err) {
      if (!(err instanceof InvalidSpecError)) throw err;
      issues.push(...err.issues);
    }
  }
  if (issues.length > 0 || !permissions) throw new InvalidSpecError(issues);
  return Object.freeze({
    botToken,
    signingSecret,
    specDir,
    port,
    host: flags.host ?? env.HOST ?? str('host') ?? '0.0.0.0',
    command,
    taskQueue,
    slackApiUrl: env.SLACK_API_URL ?? str('slackApiUrl'),
    uiUrl: env.DEPLOYFLOW_TEMPORAL_UI,
    labelPolicy,
    permissions,
  });
}
