// Which build of an environment's worker should be current: the one rule both
// the worker's self-promotion and `deployctl workers promote` apply. Deploy
// workflows auto-upgrade to the current build, so the current build must never
// go back to code older than what already wrote their histories: a newer build
// may have recorded a patched() marker the older one cannot replay. The server
// orders builds by when it first saw them (their version's create time).

export interface WorkerVersion {
  buildId: string;
  /** When the server first saw a worker of this build poll (epoch ms). */
  createdAtMs: number;
  /** Whether a worker of this build polled recently (as DescribeWorkerDeployment reports). */
  status: 'created' | 'current' | 'ramping' | 'draining' | 'drained' | 'inactive' | 'unknown';
}

export interface DeploymentRouting {
  /** The build that gets new tasks; undefined: no build is current (unversioned workers get them). */
  currentBuildId?: string;
  versions: WorkerVersion[];
  /** Guards a change against a concurrent one (SetWorkerDeploymentCurrentVersion's conflict token). */
  conflictToken?: Uint8Array;
}

export type Promotion =
  | { kind: 'promote'; replaces?: string }
  | { kind: 'already-current' }
  /** The server has not registered this build yet (its first poll is on its way): ask again shortly. */
  | { kind: 'not-registered' }
  /** The current build is newer: making this one current would hand newer histories to older code. */
  | { kind: 'older'; current: string };

export function promotionOf(routing: DeploymentRouting, buildId: string): Promotion {
  if (routing.currentBuildId === buildId) return { kind: 'already-current' };
  const own = routing.versions.find((v) => v.buildId === buildId);
  if (!own) return { kind: 'not-registered' };
  const current = routing.versions.find((v) => v.buildId === routing.currentBuildId);
  // No current build, or its record is gone (deleted after it drained): nothing newer to protect.
  if (!current || routing.currentBuildId === undefined) return { kind: 'promote', replaces: routing.currentBuildId };
  if (own.createdAtMs > current.createdAtMs) return { kind: 'promote', replaces: current.buildId };
  return { kind: 'older', current: current.buildId };
}

// The slice of temporal.api.workflowservice.v1.DescribeWorkerDeploymentResponse read here
// (structural, so domain/ needs no proto import).
interface Timestamp {
  seconds?: number | { toNumber(): number } | null;
  nanos?: number | null;
}
export interface DescribeWorkerDeploymentLike {
  conflictToken?: Uint8Array | null;
  workerDeploymentInfo?: {
    routingConfig?: { currentDeploymentVersion?: { buildId?: string | null } | null } | null;
    versionSummaries?: Array<{ deploymentVersion?: { buildId?: string | null } | null; createTime?: Timestamp | null; status?: number | null }> | null;
  } | null;
}

// temporal.api.enums.v1.WorkerDeploymentVersionStatus, by number.
const STATUS: Record<number, WorkerVersion['status']> = { 1: 'inactive', 2: 'current', 3: 'ramping', 4: 'draining', 5: 'drained', 6: 'created' };

export function routingOf(response: DescribeWorkerDeploymentLike): DeploymentRouting {
  const info = response.workerDeploymentInfo;
  const versions = (info?.versionSummaries ?? []).flatMap((v) => {
    const buildId = v.deploymentVersion?.buildId;
    return buildId ? [{ buildId, createdAtMs: timestampMs(v.createTime), status: STATUS[v.status ?? 0] ?? 'unknown' }] : [];
  });
  const currentBuildId = info?.routingConfig?.currentDeploymentVersion?.buildId || undefined;
  return { currentBuildId, versions, conflictToken: response.conflictToken ?? undefined };
}

function timestampMs(ts: Timestamp | null | undefined): number {
  const s = ts?.seconds;
  const seconds = typeof s === 'object' && s !== null ? s.toNumber() : Number(s ?? 0);
  return seconds * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);
}
