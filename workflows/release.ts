// The release workflow: one image through environments in order. For each:
// the approval gate (when asked), a look at what serves (what a rollback
// restores), the environment's deploy, the soak. Every call into an
// environment goes through its Nexus endpoint to its own worker, in its own
// namespace (release-calls.ts); the decisions are pure (domain/release-state.ts).
import { ApplicationFailure, CancellationScope, condition, workflowInfo } from '@temporalio/workflow';
import { isMapping } from '../domain/spec-checks.js';
import { decideStop, deployVerdict, STOPPED_PHASE, type Serving, type Stop } from '../domain/release-state.js';
import type { NotificationEvent } from '../activities/index.js';
import { deployTo, notifyRelease, servingIn, soakIn } from './release-calls.js';
import { ReleaseControls } from './release-controls.js';
import type { ReleaseInput, ReleaseResult } from './release-messages.js';
import { ReleaseTracker } from './release-tracker.js';

export async function release(input: ReleaseInput): Promise<ReleaseResult> {
  // Anyone who can start a workflow in the release namespace wrote the input: a shape
  // the release cannot read ends it at once (each environment's worker checks the rest).
  if (!readable(input)) throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: 'release: the input needs spec.name, spec.namespace, spec.replicas, image and plan' });
  const tracker = new ReleaseTracker(input);
  const controls = new ReleaseControls(tracker);
  const { spec, image, plan } = input;
  const say = (event: NotificationEvent, environment: string, message: string, reason?: string) =>
    notifyRelease({ event, app: spec.name, environment, namespace: spec.namespace, image, workflowId: workflowInfo().workflowId, requestedBy: input.requestedBy, message, reason });
  void say('started', plan.environments.join('→'), `releasing ${image} through ${plan.environments.join(', ')}`);
  const promoted: string[] = [];

  for (const [index, environment] of plan.environments.entries()) {
    if (plan.approve.includes(environment)) {
      tracker.update(environment, { phase: 'AwaitingApproval' });
      tracker.setPhase('AwaitingApproval', environment);
      void say('awaiting-approval', environment, `waiting for approve to deploy ${image} to ${environment}`);
      const approval = await controls.gate(environment);
      if (!approval) return end(tracker, input, { kind: 'stopped', environment }, promoted, say);
      tracker.update(environment, { approval });
      // While the gate was closed someone may have rolled back an environment already promoted.
      const moved = await firstMoved(tracker, input, promoted);
      if (moved) return end(tracker, input, { kind: 'pinned', environment: moved.environment }, promoted, say, moved.message);
    } else if (controls.stopped) {
      return end(tracker, input, { kind: 'stopped', environment }, promoted, say);
    }

    tracker.setPhase('Deploying');
    tracker.update(environment, { phase: 'Deploying' });
    const previous = await servingIn(environment, spec.namespace, spec.name);
    tracker.update(environment, { ...(previous && { previous, image: previous.image }) });
    const deployed = await deployTo(environment, { spec, environment, image, requestedBy: input.requestedBy, source: input.source, ...(input.labelPolicy && { labelPolicy: input.labelPolicy }) });
    tracker.update(environment, { deployWorkflowId: deployed.result?.workflowId, message: deployed.message });
    const verdict = deployVerdict(deployed);
    if (verdict !== 'promoted') return end(tracker, input, { kind: verdict === 'pinned' ? 'pinned' : 'deploy-failed', environment }, promoted, say, deployed.message);
    const serving: Serving = { rc: deployed.result?.rc ?? '', revision: deployed.result?.revision ?? 0, image, replicas: spec.replicas };
    tracker.update(environment, { serving, image });

    if (plan.soakSeconds > 0) {
      if (controls.stopped) return end(tracker, input, { kind: 'stopped', environment }, [...promoted, environment], say);
      tracker.setPhase('Soaking');
      tracker.update(environment, { phase: 'Soaking', soakUntil: new Date(Date.now() + plan.soakSeconds * 1000).toISOString() });
      const soaked = await untilStopped(controls, () => soakIn(environment, spec.namespace, spec.name, serving, plan.soakSeconds));
      if (soaked === 'stopped') return end(tracker, input, { kind: 'stopped', environment }, [...promoted, environment], say);
      if (!soaked.ok) return end(tracker, input, { kind: soaked.kind === 'pinned' ? 'pinned' : 'soak-failed', environment }, [...promoted, environment], say, soaked.message);
    }
    promoted.push(environment);
    tracker.update(environment, { phase: 'Promoted', message: `serves ${image}` });
    void say('succeeded', environment, index === plan.environments.length - 1 ? `${image} promoted to ${environment}` : `${image} promoted to ${environment}; next: ${plan.environments[index + 1]}`);
  }

  const result = resultOf(tracker, input, 'Promoted', `${image} promoted through ${plan.environments.join(', ')}`);
  tracker.progress.result = result;
  tracker.setPhase('Promoted');
  await say('promoted', plan.environments.join('→'), result.message);
  return result;
}

function readable(input: ReleaseInput): boolean {
  const { spec, plan } = (isMapping(input) ? input : {}) as Partial<ReleaseInput>;
  return (
    isMapping(spec) && typeof spec.name === 'string' && typeof spec.namespace === 'string' && typeof spec.replicas === 'number' &&
    typeof input.image === 'string' && isMapping(plan) && Array.isArray(plan.environments) && plan.environments.every((e) => typeof e === 'string') &&
    Array.isArray(plan.approve) && typeof plan.soakSeconds === 'number' && (plan.onFailure === 'rollback' || plan.onFailure === 'stop')
  );
}

/** Runs `call` until it ends or the release is stopped (which cancels it). */
async function untilStopped<T>(controls: ReleaseControls, call: () => Promise<T>): Promise<T | 'stopped'> {
  const scope = new CancellationScope();
  const running = scope.run(call);
  const stopped = condition(() => controls.stopped).then(() => 'stopped' as const);
  const first = await Promise.race([running, stopped]);
  if (first === 'stopped') {
    scope.cancel();
    await running.catch(() => undefined);
  }
  return first;
}

/** The first promoted environment that no longer serves what the release put there. */
async function firstMoved(tracker: ReleaseTracker, input: ReleaseInput, promoted: readonly string[]): Promise<{ environment: string; message: string } | undefined> {
  for (const environment of promoted) {
    const serving = tracker.environment(environment).serving;
    if (!serving) continue;
    const check = await soakIn(environment, input.spec.namespace, input.spec.name, serving, 0);
    if (!check.ok) return { environment, message: check.message };
  }
  return undefined;
}

type Say = (event: NotificationEvent, environment: string, message: string, reason?: string) => Promise<void>;

/** The release stops at `stop.environment`: roll back what the plan asks, then end (throws unless promoted). */
async function end(tracker: ReleaseTracker, input: ReleaseInput, stop: Stop, promoted: readonly string[], say: Say, detail?: string): Promise<never> {
  const at = stop.environment;
  const decision = decideStop(input.plan, stop, promoted);
  if (at) tracker.update(at, { phase: STOPPED_PHASE[stop.kind], ...(detail && { message: detail }) });
  if (decision.rollBack.length > 0) tracker.setPhase('RollingBack');
  const rolledBack: string[] = [];
  for (const environment of decision.rollBack) {
    const previous = tracker.environment(environment).previous;
    if (!previous) {
      tracker.update(environment, { message: 'nothing ran before this release: left as it is' });
      continue;
    }
    const back = await deployTo(environment, { environment, toRevision: previous.revision, app: { namespace: input.spec.namespace, name: input.spec.name }, requestedBy: `release ${tracker.progress.releaseId}` });
    const ok = deployVerdict(back) === 'promoted';
    if (ok) rolledBack.push(environment);
    tracker.update(environment, ok ? { phase: 'RolledBack', image: previous.image, message: `back on ${previous.image} (revision ${previous.revision})` } : { message: `rollback failed: ${back.message}` });
  }
  const message = stopMessage(stop, detail, tracker, rolledBack);
  const result = resultOf(tracker, input, decision.outcome, message, at);
  tracker.progress.result = result;
  tracker.setPhase(decision.outcome);
  await say(decision.outcome === 'Failed' ? 'failed' : decision.outcome === 'Pinned' ? 'pinned' : 'stopped', at ?? '', message, decision.outcome);
  throw ApplicationFailure.create({ type: decision.outcome, message, nonRetryable: true, details: [result] });
}

function stopMessage(stop: Stop, detail: string | undefined, tracker: ReleaseTracker, rolledBack: string[]): string {
  const at = stop.environment ?? '';
  const back = rolledBack.length > 0 ? `; rolled back ${rolledBack.join(', ')}` : '';
  switch (stop.kind) {
    case 'deploy-failed':
      return `the deploy to ${at} did not succeed (${detail ?? 'failed'})${back}`;
    case 'soak-failed':
      return `${at} failed its soak: ${detail ?? 'unhealthy'}${back}`;
    case 'pinned':
      return `${at} is pinned: ${detail ?? 'it was rolled back by hand'}; the release stops and promotes nothing more`;
    case 'stopped': {
      const who = tracker.progress.stop;
      return `stopped${who ? ` by ${who.by}${who.reason ? ` (${who.reason})` : ''}` : ''} before ${at || 'the next environment'} was promoted`;
    }
  }
}

function resultOf(tracker: ReleaseTracker, input: ReleaseInput, outcome: ReleaseResult['outcome'], message: string, stoppedAt?: string): ReleaseResult {
  return {
    outcome,
    releaseId: tracker.progress.releaseId,
    app: input.spec.name,
    image: input.image,
    ...(stoppedAt && { stoppedAt }),
    environments: tracker.progress.environments,
    message,
  };
}
