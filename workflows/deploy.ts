// The deploy workflow: ensure the environment secret → render the RC →
// create-or-replace → stepwise rolling update, with rollback on failure, on an
// operator's request and on cancellation. Loop details live in
// rolling-update.ts, the sides of a rollout in rc-group.ts.
import { ApplicationFailure, CancellationScope, isCancellation, workflowInfo } from '@temporalio/workflow';
import { resolveLimits } from '../domain/rollout.js';
import { templateHashOf } from '../domain/render.js';
import type { AppSpec } from '../domain/spec.js';
import type { RcInfo } from '../activities/index.js';
import * as cluster from './cluster.js';
import { nextRevision, planApply, revisionsToDelete } from './apply-plan.js';
import { DeployTracker } from './tracker.js';
import { OperatorControls } from './operator.js';
import { RcGroup } from './rc-group.js';
import { rollingUpdate, type RollingUpdate } from './rolling-update.js';
import { forwardGate, rollBack, type Rollout } from './rollback.js';
import { describeFailure, validateTarget } from './target.js';
import { notifyPhase } from './notifications.js';
import type { DeployInput, DeployResult, Outcome } from './messages.js';

export async function deploy(input: DeployInput): Promise<DeployResult> {
  const tracker = new DeployTracker({
    app: input.spec?.name ?? input.app?.name ?? '',
    namespace: input.spec?.namespace ?? input.app?.namespace ?? 'default',
    environment: input.environment,
    image: input.image ?? `revision ${input.toRevision}`,
    requestedBy: input.requestedBy,
    source: input.source,
    desired: input.spec?.replicas ?? 0,
    approval: input.spec?.strategy.approval ?? 'none',
  });
  const controls = new OperatorControls(tracker);
  tracker.setPhase('Validating');
  let rollout: Rollout | undefined;

  try {
    const target = await validateTarget(input);
    const { image } = target;
    // A per-node agent runs one pod on every schedulable node: its size is the node count.
    const spec = target.spec.perNode ? { ...target.spec, replicas: await cluster.countSchedulableNodes() } : target.spec;
    tracker.identify(spec.name, spec.namespace, image);
    Object.assign(tracker.progress, { desired: spec.replicas, approval: spec.strategy.approval });
    void notifyPhase(tracker, 'started', `deploying ${image} (${spec.replicas} replicas)`);

    tracker.setPhase('EnsuringSecret');
    await cluster.ensureEnvironmentSecret(spec.namespace, input.environment);

    tracker.setPhase('Rendering');
    const rcs = await cluster.listReplicationControllers(spec.namespace, spec.name);
    const plan = planApply(rcs, templateHashOf(spec, image), spec.replicas);
    const manifest = await cluster.render({
      spec,
      environment: input.environment,
      image,
      revision: (plan.kind === 'roll' ? plan.existing : plan.rc)?.revision ?? nextRevision(rcs),
      requestedBy: input.requestedBy,
      source: input.source,
      workflowId: workflowInfo().workflowId,
      replicas: spec.replicas,
    });

    tracker.setPhase('Applying');
    if (plan.kind === 'unchanged') {
      tracker.showRcs(sideOf(spec, manifest.metadata.name, [plan.rc], 'new', plan.rc.availableReplicas), undefined);
      const message = `${plan.rc.name} already runs ${image} with ${spec.replicas} replicas`;
      await notifyPhase(tracker, 'succeeded', `nothing to do: ${message}`);
      return finish(tracker, 'Unchanged', message, 0, plan.rc);
    }

    const limits = resolveLimits(spec.strategy, spec.replicas);
    if (plan.kind === 'scale') {
      const to = sideOf(spec, plan.rc.name, [{ ...plan.rc, desiredReplicas: spec.replicas }], 'new', plan.rc.availableReplicas);
      rollout = { spec, to, from: emptySide(spec, plan.rc.name), created: false, scaleOnly: { name: plan.rc.name, original: plan.rc.replicas } };
    } else {
      const serving = plan.serving;
      const initial = serving.length === 0 ? spec.replicas : 0;
      const rc = plan.existing ?? (await cluster.create({ ...manifest, spec: { ...manifest.spec, replicas: initial } }));
      const to = sideOf(spec, rc.name, [{ ...rc, desiredReplicas: spec.replicas }], 'new', plan.existing?.availableReplicas ?? 0);
      const from = sideOf(spec, rc.name, serving, 'old', serving.reduce((n, o) => n + o.availableReplicas, 0));
      rollout = { spec, to, from, created: !plan.existing };
    }

    tracker.setPhase('RollingOut');
    const update: RollingUpdate = {
      namespace: spec.namespace,
      from: rollout.from,
      to: rollout.to,
      limits,
      minReadySeconds: spec.strategy.minReadySeconds,
      progressDeadlineSeconds: spec.strategy.progressDeadlineSeconds,
      detectTampering: true,
    };
    const steps = await rollingUpdate(update, forwardGate(tracker, controls, rollout));

    const newName = rollout.to.members[0]?.name ?? '';
    const after = await cluster.listReplicationControllers(spec.namespace, spec.name);
    assertCleanEnd(after, newName, spec.replicas);
    for (const old of revisionsToDelete(after, newName, spec.revisionHistoryLimit)) await cluster.remove(spec.namespace, old.name);

    const outcome: Outcome = rollout.scaleOnly ? 'Scaled' : 'Succeeded';
    const message = rollout.scaleOnly
      ? `${newName} scaled from ${rollout.scaleOnly.original} to ${spec.replicas}`
      : `${newName} serves ${image} with ${spec.replicas} replicas`;
    await notifyPhase(tracker, 'succeeded', message);
    return finish(tracker, outcome, message, steps, after.find((rc) => rc.name === newName));
  } catch (err) {
    if (isCancellation(err) && controls.rollbackRequest === undefined) {
      tracker.recordError('Cancelled', 'the deploy was cancelled');
      if (rollout) await CancellationScope.nonCancellable(() => rollBack(tracker, rollout!, 'Cancelled'));
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
        await rollBack(tracker, rollout!, reason);
      } catch (rollbackFailure) {
        await notifyPhase(tracker, 'failed', describeFailure(rollbackFailure).message, 'RollbackFailed');
        throw rollbackFailure;
      }
      await notifyPhase(tracker, 'rolled-back', `rolled back: ${failure.message}`, reason);
    });
    fail(tracker, 'RolledBack', `rolled back: ${failure.message}`, reason);
  }
}

/** Never a false "Succeeded": only the new RC may run, at the desired size (I3). */
function assertCleanEnd(rcs: RcInfo[], newName: string, desired: number): void {
  const wrong = rcs
    .filter((rc) => (rc.name === newName ? rc.replicas !== desired : rc.replicas !== 0))
    .map((rc) => `${rc.name} has ${rc.replicas} replicas`);
  if (!rcs.some((rc) => rc.name === newName)) wrong.push(`${newName} is gone`);
  if (wrong.length > 0) {
    throw ApplicationFailure.create({
      type: 'RolloutTampered',
      nonRetryable: true,
      message: `the cluster changed under the rollout: ${wrong.join(', ')}`,
      details: [{ reason: 'RolloutTampered' }],
    });
  }
}

function sideOf(spec: AppSpec, newName: string, rcs: RcInfo[], side: 'new' | 'old', available: number): RcGroup {
  const newHash = newName.slice(spec.name.length + 1);
  const members = rcs.map((rc) => ({
    name: rc.name,
    revision: rc.revision,
    replicas: rc.replicas,
    target: side === 'new' ? rc.desiredReplicas : rc.replicas,
  }));
  return side === 'new'
    ? new RcGroup(spec.namespace, newName, `name=${spec.name},deployment=${newHash}`, members, available)
    : new RcGroup(spec.namespace, `old RCs of ${spec.name}`, `name=${spec.name},deployment!=${newHash}`, members, available);
}

function emptySide(spec: AppSpec, newName: string): RcGroup {
  return sideOf(spec, newName, [], 'old', 0);
}

function finish(tracker: DeployTracker, outcome: Outcome, message: string, steps: number, rc?: RcInfo): DeployResult {
  const result = resultOf(tracker, outcome, message, steps, rc);
  tracker.progress.result = result;
  tracker.setPhase('Succeeded');
  return result;
}

function fail(tracker: DeployTracker, outcome: 'RolledBack' | 'Failed', message: string, reason: string): never {
  const result = { ...resultOf(tracker, outcome, message, tracker.progress.step), reason };
  tracker.progress.result = result;
  tracker.setPhase(outcome);
  throw ApplicationFailure.create({ type: outcome, message, nonRetryable: true, details: [result] });
}

function resultOf(tracker: DeployTracker, outcome: Outcome, message: string, steps: number, rc?: RcInfo): DeployResult {
  const p = tracker.progress;
  return {
    outcome,
    workflowId: p.workflowId,
    environment: p.environment,
    namespace: p.namespace,
    app: p.app,
    image: p.image,
    rc: rc?.name ?? p.newRc?.name,
    revision: rc?.revision ?? p.newRc?.revision,
    steps,
    message,
  };
}
