// What a release is asked to do: one image through an ordered list of
// environments, a soak after each, approval gates before some, and what to do
// when an environment fails. Checked here once, before anything is contacted.
import { InvalidSpecError, type SpecIssue } from './errors.js';
import { validateEnvironmentName } from './names.js';

export type OnFailure = 'rollback' | 'stop';

export interface ReleasePlan {
  /** The environments in promotion order (staging before production). */
  environments: string[];
  /** How long each environment must stay healthy after its deploy succeeded. */
  soakSeconds: number;
  /** Environments whose deploy waits for an operator's `approve`. */
  approve: string[];
  /** `rollback`: a failure also rolls back the environments already promoted, in reverse order. */
  onFailure: OnFailure;
}

/** A soak longer than this is a mistake (a week of waiting), not a policy. */
export const MAX_SOAK_SECONDS = 7 * 24 * 3600;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `20s`, `10m`, `1h`, `1h30m` or plain seconds; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+)([smh])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS[unit!]!, 0);
}

export interface ReleasePlanFields {
  through: string;
  soak?: string;
  approve?: string[];
  onFailure?: string;
}

/** The flags of `deployctl release` as a plan, or every problem at once. */
export function checkReleasePlan(fields: ReleasePlanFields): ReleasePlan {
  const issues: SpecIssue[] = [];
  const environments = fields.through.split(',').map((e) => e.trim()).filter(Boolean);
  if (environments.length === 0) issues.push({ field: '--through', rule: 'must name at least one environment (staging,production)' });
  for (const e of environments) {
    try {
      validateEnvironmentName(e);
    } catch (err) {
      if (err instanceof InvalidSpecError) issues.push(...err.issues.map((i) => ({ ...i, field: `--through ${e}` })));
    }
  }
  const twice = environments.filter((e, i) => environments.indexOf(e) !== i);
  if (twice.length > 0) issues.push({ field: '--through', rule: `names ${[...new Set(twice)].join(', ')} twice: each environment is promoted once` });

  const soakSeconds = fields.soak === undefined ? 0 : parseDuration(fields.soak);
  if (soakSeconds === undefined) issues.push({ field: '--soak', rule: `must be a duration such as 20s, 10m or 1h, not "${fields.soak}"` });
  else if (soakSeconds > MAX_SOAK_SECONDS) issues.push({ field: '--soak', rule: 'must be at most 7 days' });

  const approve = (fields.approve ?? []).flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean);
  for (const a of approve) {
    if (!environments.includes(a)) issues.push({ field: '--approve', rule: `${a} is not one of --through (${environments.join(', ')})` });
  }
  const onFailure = fields.onFailure ?? 'stop';
  if (onFailure !== 'rollback' && onFailure !== 'stop') issues.push({ field: '--on-failure', rule: `must be rollback or stop, not "${onFailure}"` });

  if (issues.length > 0) throw new InvalidSpecError(issues);
  return { environments, soakSeconds: soakSeconds ?? 0, approve: [...new Set(approve)], onFailure: onFailure as OnFailure };
}

/** One release per app and image: starting the same release twice finds the running one. */
export function releaseIdFor(app: string, image: string): string {
  return `release/${app}/${image}`;
}

/** The environment-side soak's workflow id: one per request (a retried request finds the same run). */
export function soakIdFor(environment: string, namespace: string, app: string, requestId: string): string {
  return `soak/${environment}/${namespace}/${app}/${requestId}`;
}

/** The task queue of the release worker (in the release namespace). */
export const RELEASE_TASK_QUEUE = 'release';

/** The envconfig profile the release commands and the release worker connect through, when there is one. */
export const RELEASE_PROFILE = 'release';

/** The Nexus endpoint that reaches environment E's worker in E's namespace. */
export function nexusEndpointFor(environment: string): string {
  return `deploy-${environment}`;
}

export const RELEASE_SEARCH_ATTRIBUTES = {
  app: 'ReleaseApp',
  image: 'ReleaseImage',
  phase: 'ReleasePhase',
  /** The environment the release waits to be approved for ('' when none). */
  awaitingApproval: 'ReleaseAwaitingApproval',
  requestedBy: 'ReleaseRequestedBy',
} as const;
