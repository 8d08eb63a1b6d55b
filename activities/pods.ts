// Waiting for an RC's pods: until enough are available (ready for
// minReadySeconds) and no more than allowed are running. A wait that sees no
// progress for progressDeadlineSeconds fails as RolloutStalled, naming what
// the pods report (ImagePullBackOff, CrashLoopBackOff, Unschedulable, ...).
import { ApplicationFailure } from '@temporalio/common';
import { summarizePods, type Pod, type PodCounts, type PodSummary } from '../domain/pods.js';
import type { V1Pod } from '@kubernetes/client-node';
import { parseSelector } from '../domain/selector.js';
import { DEPLOYMENT_LABEL } from '../domain/labels.js';
import type { Kube } from './kube.js';
import type { ClusterWatches } from './cluster-watches.js';
import { refuse } from './guard.js';
import type { SharedWatch } from './shared-watch.js';
import { cancelledOn, kubeCall } from './errors.js';
import { checkUntouched } from './rc-sizes.js';

export interface PodWaitInput {
  namespace: string;
  /** What is waited on, for messages: an RC name or "old RCs of awesome-api". */
  target: string;
  /** The app (its pods carry `name=<app>`). */
  app?: string;
  /**
   * Which pods: those whose controller is one of these RCs. Counting by owner,
   * not by label, keeps a foreign pod that carries the app's labels (a debug
   * pod, another controller's pod) from holding a rollout up.
   */
  rcs?: string[];
  /**
   * Waits scheduled before `app` and `rcs` existed select by label:
   * `name=awesome-api,deployment=7f3c…` (or `deployment!=…` for the old ones);
   * their pods are still counted only when one of the app's RCs owns them.
   */
  labelSelector?: string;
  /** Done when at least this many pods are available... */
  minAvailable: number;
  /** ...and at most this many pods are not terminating. */
  maxPods: number;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
  /**
   * The RCs of the rollout and the size the workflow set: someone else
   * deleting or scaling one mid-rollout fails the wait as RolloutTampered.
   */
  expect?: Array<{ name: string; replicas: number }>;
  /**
   * Reset-safe rollouts: RCs already at other sizes when the wait begins mean
   * the step planned from a stale picture (a Temporal Reset to the middle of a
   * step), not tampering: StalePlan, and the workflow plans the step again.
   * Tampering is a change made during the wait.
   */
  stalePlanAtStart?: boolean;
}

export type { PodCounts } from '../domain/pods.js';

/** What a wait needs from its surroundings (Temporal's activity context in production). */
export interface WaitHooks {
  heartbeat(counts: PodCounts): void;
  signal: AbortSignal;
  now(): number;
}

/** Without a watch event, look again this often (the RCs, the deadline)... */
const RECHECK_MS = 1000;
const RC_CHECK_MS = 5000;

export async function waitForPods(kube: Kube, watches: ClusterWatches, input: PodWaitInput, hooks: WaitHooks): Promise<PodCounts> {
  const wanted = sideOf(input);
  // Both sides of a rollout are watched through one watch of the app's pods.
  const pods = watches.pods(input.namespace, `name=${wanted.app}`);
  const rcs = input.expect?.length ? watches.replicationControllers(input.namespace, `name=${wanted.app}`) : undefined;
  const { cancelled: abort, stop } = cancelledOn(hooks.signal, 'wait');
  try {
    await Promise.race([Promise.all([pods.watch.ready, rcs?.watch.ready]), abort]);
    await Promise.race([checkUntouched(kube, rcs?.watch, input, true), abort]);
    let rcsCheckedAt = hooks.now();
    let lastProgressAt = hooks.now();
    let best = { available: -1, ready: -1, excess: Number.POSITIVE_INFINITY };
    for (;;) {
      if (hooks.signal.aborted) throw ApplicationFailure.create({ type: 'Cancelled', message: 'wait cancelled' });
      const now = hooks.now();
      const { nextAvailableAt, ...counts } = countSide(pods.watch.items.values(), wanted, input.minReadySeconds, now);
      hooks.heartbeat(counts);
      const done = counts.available >= input.minAvailable && counts.total <= input.maxPods;
      // Also as it ends: a wait shorter than RC_CHECK_MS would otherwise never look at the
      // RCs, and someone rescaling one during it must still be told apart from a stale plan.
      if (done || now - rcsCheckedAt >= RC_CHECK_MS) {
        await Promise.race([checkUntouched(kube, rcs?.watch, input, false), abort]);
        rcsCheckedAt = now;
      }
      if (done) return counts;

      const excess = Math.max(0, counts.total - input.maxPods);
      if (counts.available > best.available || counts.ready > best.ready || excess < best.excess) {
        best = { available: Math.max(best.available, counts.available), ready: Math.max(best.ready, counts.ready), excess: Math.min(best.excess, excess) };
        lastProgressAt = now;
      } else if (now - lastProgressAt > input.progressDeadlineSeconds * 1000) {
        await Promise.race([confirmStall(kube, pods.watch, input, wanted, counts, now), abort]);
        throw stalled(input, counts);
      }
      // ...or as soon as a ready pod's minReadySeconds are over: nothing on the watch says so.
      const untilAvailable = nextAvailableAt === undefined ? RECHECK_MS : Math.max(1, nextAvailableAt - now + 1);
      await Promise.race([pods.watch.nextChange(Math.min(RECHECK_MS, untilAvailable)), abort]);
    }
  } finally {
    stop();
    pods.release();
    rcs?.release();
  }
}

/** One side of a rollout: the app, and which of its RCs' pods count. */
interface Side {
  app: string;
  owns(rcName: string): boolean;
}

function sideOf(input: PodWaitInput): Side {
  if (input.app && input.rcs) {
    const names = new Set(input.rcs);
    return { app: input.app, owns: (rc) => names.has(rc) };
  }
  const wanted = parseSelector(input.labelSelector ?? '');
  const app = wanted.find((r) => r.key === 'name' && r.op === '=')?.value;
  const hash = wanted.find((r) => r.key === DEPLOYMENT_LABEL);
  if (!app || !hash) throw refuse('InvalidInput', 'waitForPods: needs app and rcs');
  return { app, owns: (rc) => rc.startsWith(`${app}-`) && (rc === `${app}-${hash.value}`) === (hash.op === '=') };
}

/** Counts the pods of one side of the rollout among the app's pods. */
function countSide(pods: Iterable<V1Pod>, side: Side, minReadySeconds: number, now: number): PodSummary {
  const owned = [...pods].filter((pod) => {
    const controller = pod.metadata?.ownerReferences?.find((ref) => ref.controller);
    return controller?.kind === 'ReplicationController' && side.owns(controller.name);
  });
  return summarizePods(owned as Pod[], minReadySeconds, now);
}

/**
 * A stall is declared on what the shared watch shows; before that, the pods are
 * read afresh, so a watch that went quiet without an error (a half-open
 * connection) cannot roll a healthy release back. If the fresh read differs,
 * the watch is dropped and the wait fails retryably: its retry starts a new one.
 */
async function confirmStall(kube: Kube, watch: SharedWatch<V1Pod>, input: PodWaitInput, wanted: Side, seen: PodCounts, now: number): Promise<void> {
  const labelSelector = `name=${wanted.app}`;
  const list = await kubeCall(`list pods ${labelSelector}`, () => kube.core.listNamespacedPod({ namespace: input.namespace, labelSelector }));
  const fresh = countSide(list.items, wanted, input.minReadySeconds, now);
  if (fresh.available === seen.available && fresh.ready === seen.ready && fresh.total === seen.total) return;
  watch.invalidate(`the watch showed ${seen.available} available of ${seen.total}, the apiserver ${fresh.available} of ${fresh.total}`);
  throw ApplicationFailure.retryable(`${input.target}: the pod watch fell behind; watching afresh`, 'WatchStale');
}

function stalled(input: PodWaitInput, counts: PodCounts): ApplicationFailure {
  // Pods that should go away and stay are the controller's doing (a rollback waits
  // that out), whatever their containers report: name their problems only when
  // the wait was for pods to become available.
  const problems = input.minAvailable > 0 ? counts.problems : [];
  const reasons = [...new Set(problems.map((p) => p.reason))];
  const first = problems[0];
  const detail = first ? `: ${reasons.join(', ')} (${first.pod}: ${first.message})` : '';
  return ApplicationFailure.create({
    type: 'RolloutStalled',
    nonRetryable: true,
    message:
      `${input.target}: no progress for ${input.progressDeadlineSeconds}s, ` +
      `${counts.available}/${input.minAvailable} pods available${detail}`,
    details: [{ reason: reasons[0] ?? 'ProgressDeadlineExceeded', reasons, counts }],
  });
}
