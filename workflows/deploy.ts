// The deploy workflow: ensure the environment secret → render the RC →
// create-or-replace → stepwise rolling update, with rollback on failure, on an
// operator's request and on cancellation. The steps live in their own files:
// apply.ts, rolling-update.ts, rollback.ts, outcome.ts; a long rollout goes on
// in a fresh run (continuation.ts).
import { CancellationScope, ContinueAsNew, isCancellation, patched, workflowInfo } from '@temporalio/workflow';
import { resolveLimits } from '../domain/rollout.js';
import { holdLimits } from '../domain/spec-strategy.js';
import { renderReplicationController, templateHashOf, type RenderInput } from '../domain/render.js';
import * as cluster from './cluster.js';
import { nextRevision, planApply, revisionsToDelete } from './apply-plan.js';
import { apply, sideOf } from './apply.js';
import { DeployTracker } from './tracker.js';
import { OperatorControls } from './operator.js';
import { rollingUpdate } from './rolling-update.js';
import { forwardGate, rollBack, type ForwardHolds, type Rollout } from './rollback.js';
import { admitted, describeFailure, initialProgress, invalidSpecAsFailure, legacyTarget, refuseLookAlike, type Target } from './target.js';
import { notifyPhase } from './notifications.js';
import { assertCleanEnd, fail, finish } from './outcome.js';
import { maxStepsPerRun, readContinuation, type Continuation } from './continuation.js';
import { invalidContinuation, resumedRollout } from './resume.js';
import { planFromCluster } from './plan-from-cluster.js';
import type { DeployInput, DeployResult, Outcome } from './messages.js';

export async function deploy(input: DeployInput): Promise<DeployResult> {
  // The input is untrusted (anyone who can start a workflow wrote it): nothing may
  // throw before the try below, or the workflow task would fail forever.
  const tracker = new DeployTracker(initialProgress(input));
  const controls = new OperatorControls(tracker);
  const continued = readContinuation(input);
  // Today's deploys record one patch marker, which stands for every patch before it: each marker
  // costs two history events (the SDK upserts TemporalChangeVersion with it) and a visibility
  // write. Deploys started before it ask the patches one by one, as they recorded them.
  // Steps back to back: one step activity takes the steps up to the next hold.
  const stepsBackToBack = patched('steps-back-to-back');
  const quietStart = stepsBackToBack || patched('quiet-start');
  tracker.skipUnchangedUpserts = quietStart;
  tracker.setPhase(continued && continued !== 'malformed' ? 'RollingOut' : 'Validating');
  // Decided in the first workflow task, before any call, for the whole deploy: its one-off calls
  // run locally and each rollout step is one activity. It implies every patch before it: a patch
  // marker right after a local activity's result can land in another workflow task on replay than
  // it did live, so a deploy with local calls asks any later patch here too, before its first call.
  const calls: cluster.CallMode = quietStart || patched('local-calls-and-step-activity') ? 'local' : 'task-queue';
  // Each step activity checks its own plan: the RCs are read when a run starts, not before every step.
  const stepChecksPlan = quietStart || (calls === 'local' && patched('step-checks-its-plan'));
  // A worker without chat webhooks says so at admission, and the deploy then schedules no
  // notification activities (each was three history events and a workflow task, telling no one).
  const notifyOnlyWhenHeard = quietStart || (stepChecksPlan && patched('notify-only-when-heard'));
  let rollout: Rollout | undefined;

  try {
    if (continued === 'malformed') throw invalidContinuation();
    // The worker's admission activity applies its own policy and returns the one
    // checked value; deploys started before it existed keep their own checks.
    const target = continued ? await admitted(input, continued.cluster, calls) : quietStart || patched('admission') ? await admitted(input, undefined, calls) : await legacyTarget(input);
    if (notifyOnlyWhenHeard && target.notifies === false) tracker.notifies = false;
    if (continued) {
      describeTarget(tracker, target);
      rollout = { ...resumedRollout(target.spec, target.rcName, continued), calls };
      tracker.resume(continued);
    } else {
      const prepared = await prepare(input, target, tracker, calls);
      if ('unchanged' in prepared) return prepared.unchanged;
      rollout = prepared.rollout;
    }
    if (rollout.oneActivityPerStep && stepChecksPlan) rollout.stepChecksPlan = true;
    if (rollout.stepChecksPlan && stepsBackToBack) rollout.stepsBackToBack = true;
    return await rollOut(input, target, rollout, tracker, controls, continued);
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    return recover(err, tracker, controls, rollout);
  }
}

/** Secret, render, create-or-replace: the cluster gets the new RC, or is already as asked. */
async function prepare(input: DeployInput, target: Target, tracker: DeployTracker, calls: cluster.CallMode): Promise<{ rollout: Rollout } | { unchanged: DeployResult }> {
  const { spec, image } = target;
  describeTarget(tracker, target);
  void notifyPhase(tracker, 'started', `deploying ${image} (${spec.replicas} replicas)`);

  // The secret check and the RC list are independent reads: made at once, and the
  // manifest rendered right here (the create's input records it in history), a
  // deploy starts two round trips sooner. Deploys started before keep their path.
  const quickStart = calls === 'local' || patched('secret-and-list-at-once');
  tracker.setPhase('EnsuringSecret');
  const secret = cluster.ensureEnvironmentSecret(spec.namespace, input.environment, calls);
  const listed = quickStart ? cluster.listReplicationControllers(spec.namespace, spec.name, target.expect, calls) : undefined;
  listed?.catch(() => undefined); // a refused secret fails the deploy first
  await secret;

  tracker.setPhase('Rendering');
  const rcs = await (listed ?? cluster.listReplicationControllers(spec.namespace, spec.name, target.expect));
  // No patch: only RCs this deploy created carry its id, so a history recorded without the id replays the same.
  const deployId = workflowInfo().firstExecutionRunId;
  const plan = planApply(rcs, target.expect?.hash ?? templateHashOf(spec, image), spec.replicas, deployId);
  refuseLookAlike(plan);
  const renderInput: RenderInput = {
    spec,
    environment: input.environment,
    image,
    revision: (plan.kind === 'roll' ? plan.existing : plan.rc)?.revision ?? nextRevision(rcs),
    requestedBy: input.requestedBy,
    source: input.source,
    workflowId: workflowInfo().workflowId,
    deployId,
    replicas: spec.replicas,
  };
  const manifest = quickStart ? invalidSpecAsFailure(() => renderReplicationController(renderInput)) : await cluster.render(renderInput);

  tracker.setPhase('Applying');
  if (plan.kind === 'unchanged') {
    tracker.showRcs(sideOf(spec, plan.rc.name, [plan.rc], 'new', plan.rc.availableReplicas), undefined);
    const message = `${plan.rc.name} already runs ${image} with ${spec.replicas} replicas`;
    await notifyPhase(tracker, 'succeeded', `nothing to do: ${message}`);
    return { unchanged: finish(tracker, 'Unchanged', message, 0, plan.rc) };
  }
  resolveLimits(spec.strategy, spec.replicas);
  // Decided once, before the first scale: a rollout never changes its rules halfway.
  const resetSafe = calls === 'local' || patched('reset-safe-rollout');
  const oneActivityPerStep = calls === 'local';
  const rollout = await apply(spec, plan, manifest, resetSafe, calls);
  return { rollout: { ...rollout, ...(oneActivityPerStep && { oneActivityPerStep }), calls } };
}

/** The stepwise rolling update, then the end: old revisions deleted, the result reported. */
async function rollOut(
  input: DeployInput,
  target: Target,
  rollout: Rollout,
  tracker: DeployTracker,
  controls: OperatorControls,
  continued: Continuation | undefined,
): Promise<DeployResult> {
  const { spec, image } = target;
  tracker.setPhase('RollingOut');
  const { minReadySeconds, progressDeadlineSeconds } = spec.strategy;
  const stepsDone = continued?.stepsDone ?? 0;
  const steps = await rollingUpdate(
    {
      namespace: spec.namespace,
      from: rollout.from,
      to: rollout.to,
      limits: resolveLimits(spec.strategy, rollout.to.target),
      minReadySeconds,
      progressDeadlineSeconds,
      detectTampering: true,
      stepsDone,
      ...(rollout.resetSafe && { planFromCluster: planFromCluster(rollout, 'forward') }),
      ...(!continued && { sizesJustRead: true }),
    },
    forwardGate(tracker, controls, rollout, rollout.resetSafe ? holdsOf(input, target, rollout, tracker, stepsDone, continued) : {}),
  );

  // Everything after the last step is one phase, in which no operator command can take effect any more.
  if (rollout.resetSafe) tracker.setPhase('Finishing');
  const newName = rollout.to.members[0]?.name ?? '';
  const desired = rollout.to.target;
  const after = await cluster.listReplicationControllers(spec.namespace, spec.name, undefined, rollout.calls);
  assertCleanEnd(after, newName, desired);
  for (const old of revisionsToDelete(after, newName, spec.revisionHistoryLimit)) await cluster.remove(spec.namespace, old.name, rollout.calls);

  const outcome: Outcome = rollout.scaleOnly ? 'Scaled' : 'Succeeded';
  const message = rollout.scaleOnly
    ? `${newName} scaled from ${rollout.scaleOnly.original} to ${desired}`
    : `${newName} serves ${image} with ${desired} replicas`;
  await notifyPhase(tracker, 'succeeded', message);
  return finish(tracker, outcome, message, steps, after.find((rc) => rc.name === newName));
}

function describeTarget(tracker: DeployTracker, { spec, image }: Target): void {
  tracker.identify(spec.name, spec.namespace, image);
  Object.assign(tracker.progress, { desired: spec.replicas, approval: spec.strategy.approval });
}

/** The holds' limits, and the continuation this run hands on when it has done enough steps. */
function holdsOf(input: DeployInput, target: Target, rollout: Rollout, tracker: DeployTracker, stepsAtStart: number, continued: Continuation | undefined): ForwardHolds {
  return {
    ...holdLimits(target.spec.strategy),
    continueAt: {
      input: { ...input, continued: undefined },
      stepsAtStart,
      limit: maxStepsPerRun(input),
      state: (stepsDone) => ({
        runs: (continued?.runs ?? 0) + 1,
        stepsDone,
        to: rollout.to.members,
        from: rollout.from.members,
        created: rollout.created,
        ...(rollout.oneActivityPerStep && { oneActivityPerStep: true }),
        ...(rollout.scaleOnly && { scaleOnly: rollout.scaleOnly }),
        actions: tracker.progress.actions,
        ...(tracker.progress.lastError && { lastError: tracker.progress.lastError }),
        paused: tracker.progress.paused,
        ...(target.cluster && { cluster: target.cluster }),
      }),
    },
  };
}

/** After a failure, a rollback request or a cancellation: undo what changed, then end (always throws). */
async function recover(err: unknown, tracker: DeployTracker, controls: OperatorControls, rollout: Rollout | undefined): Promise<never> {
  if (isCancellation(err) && controls.rollbackRequest === undefined) {
    tracker.recordError('Cancelled', 'the deploy was cancelled');
    if (rollout) await CancellationScope.nonCancellable(() => rollBack(tracker, rollout, 'Cancelled'));
    // Cancelled before anything changed counts as rolled back too: the cluster is as it was.
    tracker.setPhase('RolledBack');
    await CancellationScope.nonCancellable(() => notifyPhase(tracker, 'rolled-back', 'cancelled; rolled back', 'Cancelled'));
    throw err;
  }
  const failure = describeFailure(err);
  tracker.recordError(failure.type, failure.message, failure.reason);
  const reason = failure.reason ?? failure.type;
  if (!rollout) {
    // Nothing in the cluster changed yet: there is nothing to roll back.
    await notifyPhase(tracker, 'failed', failure.message, reason);
    fail(tracker, 'Failed', failure.message, reason);
  }
  await CancellationScope.nonCancellable(async () => {
    try {
      await rollBack(tracker, rollout, reason);
    } catch (rollbackFailure) {
      await notifyPhase(tracker, 'failed', describeFailure(rollbackFailure).message, 'RollbackFailed');
      throw rollbackFailure;
    }
    await notifyPhase(tracker, 'rolled-back', `rolled back: ${failure.message}`, reason);
  });
  fail(tracker, 'RolledBack', `rolled back: ${failure.message}`, reason);
}
