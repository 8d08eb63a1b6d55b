// The release's calls into an environment, through that environment's Nexus
// endpoint: its deploy, a look at what serves, and the soak. Each comes back
// as a plain verdict; the typed failures of the far side are read here only.
import { ApplicationFailure, CancelledFailure, createNexusServiceClient, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { nexusEndpointFor } from '../domain/release-plan.js';
import type { DeployEnd, Serving } from '../domain/release-state.js';
import type { ReleaseActivities } from '../activities/release.js';
import type { DeployNotification } from '../activities/index.js';
import { DEPLOY_SERVICE, type ReleaseDeployInput } from './deploy-service.js';
import type { DeployInput, DeployResult } from './messages.js';

const service = (environment: string) => createNexusServiceClient({ endpoint: nexusEndpointFor(environment), service: DEPLOY_SERVICE });

/** Deploys take as long as their rollout (the deploy's own execution timeout bounds them). */
const DEPLOY_TIMEOUT = '7 days';

export type DeployOutcome = DeployEnd & { result?: DeployResult; message: string };

/** Starts the environment's deploy and follows it to its end; a rollback or failure is an outcome, not an exception. */
export async function deployTo(environment: string, input: DeployInput): Promise<DeployOutcome> {
  const request: ReleaseDeployInput = { ...input, releaseId: workflowInfo().workflowId };
  try {
    const result = await service(environment).executeOperation('deploy', request, { scheduleToCloseTimeout: DEPLOY_TIMEOUT, summary: `deploy to ${environment}` });
    return { outcome: result.outcome, reason: result.reason, result, message: result.message };
  } catch (err) {
    const result = detailsOf<DeployResult>(err, (d) => typeof d === 'object' && d !== null && 'outcome' in d);
    if (result) return { outcome: result.outcome, reason: result.reason, result, message: result.message };
    if (causes(err).some((e) => e instanceof CancelledFailure)) return { outcome: 'RolledBack', reason: 'Cancelled', message: 'the deploy was cancelled; it rolled back' };
    const failure = causes(err).find((e): e is ApplicationFailure => e instanceof ApplicationFailure);
    return { outcome: 'Failed', reason: failure?.type ?? 'NexusError', message: messageOf(err) };
  }
}

/** What serves the app in `environment` now (undefined before its first deploy). */
export async function servingIn(environment: string, namespace: string, app: string): Promise<Serving | undefined> {
  const { serving } = await service(environment).executeOperation(
    'soak',
    { environment, namespace, app, seconds: 0, releaseId: workflowInfo().workflowId },
    { scheduleToCloseTimeout: '10 minutes', summary: `what serves in ${environment}` },
  );
  return serving;
}

export type SoakOutcome = { ok: true } | { ok: false; kind: 'pinned' | 'unhealthy'; message: string };

/** `expect` must keep serving, fully available, for `seconds` (0: checked once). */
export async function soakIn(environment: string, namespace: string, app: string, expect: Serving, seconds: number): Promise<SoakOutcome> {
  try {
    await service(environment).executeOperation(
      'soak',
      { environment, namespace, app, expect, seconds, releaseId: workflowInfo().workflowId },
      { scheduleToCloseTimeout: `${seconds + 600} seconds`, summary: seconds > 0 ? `soak ${environment} for ${seconds}s` : `check ${environment} still serves ${expect.rc}` },
    );
    return { ok: true };
  } catch (err) {
    const failure = causes(err).find((e): e is ApplicationFailure => e instanceof ApplicationFailure && (e.type === 'Pinned' || e.type === 'SoakFailed'));
    if (!failure) throw err;
    return { ok: false, kind: failure.type === 'Pinned' ? 'pinned' : 'unhealthy', message: failure.message };
  }
}

const acts = proxyActivities<ReleaseActivities>({ startToCloseTimeout: '10s', scheduleToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumAttempts: 4 } });

/** Best effort: a webhook that is down never holds the release up. */
export function notifyRelease(notification: DeployNotification): Promise<void> {
  return acts.notifyRelease.executeWithOptions({ startToCloseTimeout: '10s', scheduleToCloseTimeout: '30s', summary: `notify ${notification.event}` }, [notification]).then(
    () => undefined,
    () => undefined,
  );
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 8; e = e.cause) chain.push(e);
  return chain;
}

function detailsOf<T>(err: unknown, is: (d: unknown) => boolean): T | undefined {
  for (const e of causes(err)) {
    if (e instanceof ApplicationFailure && is(e.details?.[0])) return e.details![0] as T;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  const chain = causes(err);
  const last = chain[chain.length - 1];
  return last instanceof Error ? last.message : String(err);
}
