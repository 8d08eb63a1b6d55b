// Who may do what from Slack: rules granting actions in environments to Slack
// users and groups, plus the built-in rule that nobody approves their own
// deploy. Pure (group membership is resolved by the caller), so the whole
// model is table-tested; every refusal names the rule behind it.
import { InvalidSpecError, type SpecIssue } from '../../domain/errors.js';
import { slackUserOf } from './requester.js';

export const SLACK_ACTIONS = ['deploy', 'status', 'approve', 'retry', 'rollback', 'pause', 'resume'] as const;
export type SlackAction = (typeof SLACK_ACTIONS)[number];

/** A named set of people: a Slack user group (members read from Slack) and/or users listed here. */
export interface GroupDefinition {
  usergroup?: string;
  users: string[];
}

export interface PermissionRule {
  name: string;
  /** `anyone`, `@group` (a key of groups), or a Slack user id (U…/W…). */
  who: string[];
  /** Environment names, or `*`. */
  environments: string[];
  actions: SlackAction[];
}

export interface Permissions {
  groups: Record<string, GroupDefinition>;
  rules: PermissionRule[];
  /** False (the default): the built-in rule `no-self-approval` applies. */
  selfApproval: boolean;
  /** Environments whose actions ask for confirmation first. */
  confirm: string[];
}

export const NO_SELF_APPROVAL = 'no-self-approval';

/** Who is asking: their Slack id and the config groups they belong to (resolved by the caller). */
export interface Actor {
  userId: string;
  groups: ReadonlySet<string>;
}

export type Verdict = { allowed: true; rule: string } | { allowed: false; rule: string; message: string };

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
const USERGROUP_ID = /^S[A-Z0-9]{2,20}$/;
const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function decide(p: Permissions, actor: Actor, action: SlackAction, environment: string, deployRequestedBy?: string): Verdict {
  const grants = p.rules.filter((r) => r.actions.includes(action) && (r.environments.includes('*') || r.environments.includes(environment)));
  const granted = grants.find((r) => r.who.some((w) => matches(w, actor)));
  if (!granted) {
    const hint = grants.length > 0 ? `; ${grants.map((r) => `rule ${r.name} allows it for ${r.who.join(', ')}`).join('; ')}` : '';
    return {
      allowed: false,
      rule: grants[0]?.name ?? 'default-deny',
      message: `<@${actor.userId}> may not ${action} in ${environment}: no rule grants it${hint}`,
    };
  }
  if (action === 'approve' && !p.selfApproval && deployRequestedBy !== undefined && slackUserOf(deployRequestedBy) === actor.userId) {
    return { allowed: false, rule: NO_SELF_APPROVAL, message: `rule ${NO_SELF_APPROVAL}: nobody approves their own deploy (requested by ${deployRequestedBy})` };
  }
  return { allowed: true, rule: granted.name };
}

function matches(who: string, actor: Actor): boolean {
  if (who === 'anyone') return true;
  if (who.startsWith('@')) return actor.groups.has(who.slice(1));
  return who === actor.userId;
}

/** The config groups `userId` belongs to; `membersOf` reads a Slack user group's members. */
export async function groupsOf(p: Permissions, userId: string, membersOf: (usergroup: string) => Promise<ReadonlySet<string>>): Promise<Set<string>> {
  const groups = new Set<string>();
  for (const [name, g] of Object.entries(p.groups)) {
    if (g.users.includes(userId) || (g.usergroup !== undefined && (await membersOf(g.usergroup)).has(userId))) groups.add(name);
  }
  return groups;
}

export function needsConfirmation(p: Permissions, environment: string): boolean {
  return p.confirm.includes(environment) || p.confirm.includes('*');
}

/** Checks the `permissions` part of the Slack app's config; every problem at once. */
export function parsePermissions(raw: unknown, source = 'permissions'): Permissions {
  const issues: SpecIssue[] = [];
  const bad = (field: string, rule: string) => issues.push({ field: field ? `${source}.${field}` : source, rule });
  const o = isObject(raw) ? raw : (bad('', 'must be a mapping'), {});
  for (const key of Object.keys(o)) if (!['groups', 'rules', 'selfApproval', 'confirm'].includes(key)) bad(key, 'is not a known key (groups, rules, selfApproval, confirm)');

  const groups: Record<string, GroupDefinition> = {};
  const rawGroups = o.groups ?? {};
  if (!isObject(rawGroups)) bad('groups', 'must be a mapping of group name to { usergroup, users }');
  else {
    for (const [name, g] of Object.entries(rawGroups)) {
      const at = `groups.${name}`;
      if (!NAME.test(name)) bad(at, 'group names are lowercase letters, digits, ".", "_" and "-"');
      if (!isObject(g)) {
        bad(at, 'must be a mapping with usergroup and/or users');
        continue;
      }
      const usergroup = g.usergroup;
      if (usergroup !== undefined && (typeof usergroup !== 'string' || !USERGROUP_ID.test(usergroup))) bad(`${at}.usergroup`, 'must be a Slack user group id (S…)');
      const users = (g.users === undefined ? [] : stringList(g.users, `${at}.users`, bad)).filter((u, i) => USER_ID.test(u) || (bad(`${at}.users[${i}]`, 'must be a Slack user id (U… or W…)'), false));
      if (usergroup === undefined && users.length === 0) bad(at, 'needs a usergroup or users');
      groups[name] = { ...(typeof usergroup === 'string' && { usergroup }), users };
    }
  }

  const rules: PermissionRule[] = [];
  const names = new Set<string>();
  if (!Array.isArray(o.rules) || o.rules.length === 0) bad('rules', 'must be a non-empty list (nothing is allowed without a rule)');
  else {
    o.rules.forEach((r: unknown, i) => {
      const at = `rules[${i}]`;
      if (!isObject(r)) return void bad(at, 'must be a mapping with name, who, environments, actions');
      const name = typeof r.name === 'string' && NAME.test(r.name) ? r.name : (bad(`${at}.name`, 'must be a short lowercase name (refusals quote it)'), `rule-${i}`);
      if (names.has(name) || name === NO_SELF_APPROVAL) bad(`${at}.name`, `"${name}" is used twice`);
      names.add(name);
      const who = stringList(r.who, `${at}.who`, bad);
      who.forEach((w, j) => {
        if (w === 'anyone' || USER_ID.test(w)) return;
        if (w.startsWith('@') && w.slice(1) in groups) return;
        bad(`${at}.who[${j}]`, w.startsWith('@') ? `group ${w} is not defined under groups` : 'must be anyone, @group or a Slack user id');
      });
      const environments = stringList(r.environments, `${at}.environments`, bad);
      const actions = stringList(r.actions, `${at}.actions`, bad).filter(
        (a, j): a is SlackAction => (SLACK_ACTIONS as readonly string[]).includes(a) || (bad(`${at}.actions[${j}]`, `must be one of ${SLACK_ACTIONS.join(', ')}`), false),
      );
      rules.push({ name, who, environments, actions });
    });
  }

  const selfApproval = o.selfApproval ?? false;
  if (typeof selfApproval !== 'boolean') bad('selfApproval', 'must be true or false');
  const confirm = stringList(o.confirm ?? ['production'], 'confirm', bad);
  if (issues.length > 0) throw new InvalidSpecError(issues);
  return { groups, rules, selfApproval: selfApproval === true, confirm };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, field: string, bad: (field: string, rule: string) => void): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s !== '')) {
    bad(field, 'must be a non-empty list of strings');
    return [];
  }
  return v as string[];
}
