// Reading pod status: readiness, availability (ready for minReadySeconds), and the
// failures that will not fix themselves, so a rollout can stop early instead of
// waiting out its progress deadline. The types are structural subsets of the
// Kubernetes API, so `V1Pod` objects from the client can be passed in directly.

/** The API client hands out Date objects; raw JSON has RFC 3339 strings. Both are accepted. */
export type Timestamp = Date | string;

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: Timestamp;
  reason?: string;
  message?: string;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: Timestamp };
  terminated?: { exitCode: number; reason?: string; message?: string };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Pod {
  metadata?: {
    name?: string;
    uid?: string;
    deletionTimestamp?: Timestamp;
    labels?: Record<string, string>;
    creationTimestamp?: Timestamp;
  };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface PodProblem {
  reason: string;
  message: string;
  pod: string;
}

/** What a wait on pods reports (and heartbeats): the counts and the pods' problems. */
export type PodCounts = Omit<PodSummary, 'nextAvailableAt'>;

export interface PodSummary {
  /** Pods that are neither terminating nor finished. */
  total: number;
  ready: number;
  available: number;
  terminating: number;
  problems: PodProblem[];
  /** Earliest time (ms epoch) a ready pod will become available; undefined when none is pending. */
  nextAvailableAt?: number;
}

// Waiting reasons that mean the pod will not start without a change (new image,
// config, fix). Kubernetes keeps retrying them, but a rollout should not wait on it.
const STUCK_WAITING_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreStartHookError',
  'PostStartHookError',
]);

export function isPodReady(pod: Pod): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

/** Being deleted: it still exists but no longer counts towards a controller's replicas. */
export function isPodTerminating(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp != null;
}

/** Succeeded/Failed pods (e.g. evicted) stay listed but will never serve again. */
export function isPodFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * When the pod becomes available (ms epoch): Ready since lastTransitionTime plus
 * minReadySeconds. Undefined if it is not ready, or if a wait is needed but the
 * transition time is unknown (like Kubernetes, which then never counts it available).
 */
export function availableAt(pod: Pod, minReadySeconds: number): number | undefined {
  const ready = condition(pod, 'Ready');
  if (ready?.status !== 'True') return undefined;
  const since = toMs(ready.lastTransitionTime);
  if (since === undefined) return minReadySeconds === 0 ? 0 : undefined;
  return since + minReadySeconds * 1000;
}

export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const at = availableAt(pod, minReadySeconds);
  return at !== undefined && (minReadySeconds === 0 || at <= nowMs);
}

/** The first reason this pod cannot become ready by itself, if any. */
export function podProblem(pod: Pod): PodProblem | undefined {
  const name = pod.metadata?.name ?? '';
  const scheduled = condition(pod, 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { reason: 'Unschedulable', message: scheduled.message ?? 'no node can run this pod', pod: name };
  }
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of statuses) {
    const reason = cs.state?.waiting?.reason;
    if (reason === undefined || !STUCK_WAITING_REASONS.has(reason)) continue;
    return { reason, message: describeWaiting(cs, reason), pod: name };
  }
  return undefined;
}

export function summarizePods(pods: readonly Pod[], minReadySeconds: number, nowMs: number): PodSummary {
  const summary: PodSummary = { total: 0, ready: 0, available: 0, terminating: 0, problems: [] };
  for (const pod of pods) {
    if (isPodTerminating(pod)) {
      summary.terminating++;
      continue;
    }
    if (isPodFinished(pod)) continue;
    summary.total++;
    if (isPodReady(pod)) summary.ready++;
    const at = availableAt(pod, minReadySeconds);
    if (at !== undefined && (minReadySeconds === 0 || at <= nowMs)) summary.available++;
    else if (at !== undefined && (summary.nextAvailableAt === undefined || at < summary.nextAvailableAt)) summary.nextAvailableAt = at;
    const problem = podProblem(pod);
    if (problem) summary.problems.push(problem);
  }
  return summary;
}

function condition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

function describeWaiting(cs: ContainerStatus, reason: string): string {
  const parts = [`container ${cs.name}: ${cs.state?.waiting?.message ?? reason}`];
  if (reason === 'CrashLoopBackOff') {
    const last = cs.lastState?.terminated;
    const exit = last ? `; last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
    parts.push(`restarted ${cs.restartCount} time${cs.restartCount === 1 ? '' : 's'}${exit}`);
  }
  return parts.join(', ');
}

function toMs(t: Timestamp | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}
