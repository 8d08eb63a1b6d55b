// What runs in an environment, by label, read from Temporal alone (deployctl has
// no cluster credentials): the latest succeeded deploy of each app names the RC
// that serves it, and that deploy's history holds what it applied — the admission
// activity's checked value, a local activity's marker on deploys since local
// calls (older deploys: the render activity's manifest) — with
// every pod label. Grouping follows the seed's
// monitoring conventions: by app, tier, role and language.
import type { Client } from '@temporalio/client';
import { DEPLOYMENT_LABEL, MANAGED_BY_LABEL, podLabels } from '../domain/labels.js';
import { parseWorkflowId } from '../domain/names.js';
import { templateHashOf, type ReplicationControllerManifest } from '../domain/render.js';
import type { CheckedDeploy } from '../domain/check-deploy.js';
import type { DeployInput, DeployResult } from '../workflows/messages.js';
import type { DeployHandle } from './api.js';
import { deployInfoOf, type DeployInfo } from './deploy-info.js';
import { deployListQuery } from './visibility-query.js';
import { openPayloadsInPlace } from '../codec/open-payloads.js';

/** The activity whose result is the deploy's checked value (workflows/cluster.ts admit()). */
const ADMIT_ACTIVITY = 'admitDeploy';
/** Before admission: the activity whose result is the applied manifest. */
const RENDER_ACTIVITY = 'renderReplicationController';
const FETCH_CONCURRENCY = 8;

export const DEFAULT_GROUP_KEYS = ['app', 'tier', 'role', 'language'] as const;

export interface RunningRc {
  environment: string;
  namespace: string;
  /** The RC serving the app since its latest succeeded deploy. */
  rc: string;
  revision?: number;
  /** Desired replicas as deployed (not a live count: the cluster is not read). */
  replicas: number;
  image: string;
  /** Pod labels without the per-revision `deployment` hash. */
  labels: Record<string, string>;
  workflowId: string;
  runId: string;
  deployedAt?: string;
  requestedBy: string;
}

export interface LabelGroup {
  value: string;
  rcs: number;
  pods: number;
  names: string[];
}

type History = Awaited<ReturnType<DeployHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** The latest Succeeded run per deploy (workflow id) in `environment`, optionally one namespace. */
export async function latestSucceeded(client: Client, environment: string, namespace?: string): Promise<DeployInfo[]> {
  const latest = new Map<string, DeployInfo>();
  for await (const execution of client.workflow.list({ query: deployListQuery({ environment, phase: 'Succeeded' }), pageSize: 100 })) {
    const info = deployInfoOf(execution);
    if (namespace !== undefined && parseWorkflowId(info.workflowId)?.namespace !== namespace) continue;
    const seen = latest.get(info.workflowId);
    if (!seen || endOf(info) > endOf(seen)) latest.set(info.workflowId, info);
  }
  return [...latest.values()];
}

/** Reads each deploy's history (a few at a time); deploys it cannot read are returned as `skipped`. */
export async function runningRcs(client: Client, deploys: DeployInfo[]): Promise<{ rcs: RunningRc[]; skipped: Array<{ workflowId: string; why: string }> }> {
  const rcs: RunningRc[] = [];
  const skipped: Array<{ workflowId: string; why: string }> = [];
  let next = 0;
  const work = async () => {
    for (let i = next++; i < deploys.length; i = next++) {
      const d = deploys[i]!;
      try {
        const history = await client.workflow.getHandle(d.workflowId, d.runId).fetchHistory();
        await openPayloadsInPlace(history, client.options.loadedDataConverter.payloadCodecs);
        const rc = rcFromHistory(history, d, (p) => client.options.loadedDataConverter.payloadConverter.fromPayload(p));
        if (rc) rcs.push(rc);
        else skipped.push({ workflowId: d.workflowId, why: 'its history holds neither a rendered manifest nor a spec' });
      } catch (err) {
        skipped.push({ workflowId: d.workflowId, why: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, deploys.length) }, work));
  return { rcs: sortRcs(rcs), skipped };
}

type Payload = NonNullable<NonNullable<NonNullable<HistoryEvent['activityTaskCompletedEventAttributes']>['result']>['payloads']>[number];

/**
 * The RC a succeeded deploy left serving: from the manifest its render activity
 * returned; failing that (a history without one), from the spec in its input.
 */
export function rcFromHistory(history: History, info: DeployInfo, decode: (p: Payload) => unknown): RunningRc | undefined {
  const events = history.events ?? [];
  const first = <T>(payloads: Payload[] | null | undefined): T | undefined => (payloads?.[0] ? (decode(payloads[0]) as T) : undefined);
  const result = first<DeployResult>(events.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes?.result?.payloads);
  const base = {
    environment: info.environment,
    namespace: info.namespace,
    workflowId: info.workflowId,
    runId: info.runId,
    deployedAt: info.closeTime,
    requestedBy: info.requestedBy,
    revision: result?.revision,
  };

  const checked = activityResult<CheckedDeploy>(events, ADMIT_ACTIVITY, first);
  if (checked?.template) {
    return {
      ...base,
      rc: result?.rc ?? checked.rcName,
      replicas: checked.spec.replicas,
      image: checked.image,
      labels: withoutDeployflowLabels(checked.template.metadata.labels),
    };
  }
  const manifest = activityResult<ReplicationControllerManifest>(events, RENDER_ACTIVITY, first);
  if (manifest?.kind === 'ReplicationController') {
    return {
      ...base,
      rc: result?.rc ?? manifest.metadata.name,
      replicas: manifest.spec.replicas,
      image: manifest.metadata.annotations['deployflow.io/image'] ?? info.image,
      labels: withoutDeployflowLabels(manifest.spec.template.metadata.labels),
    };
  }
  const input = first<DeployInput>(events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads);
  if (!input?.spec || !input.image) return undefined;
  return {
    ...base,
    rc: result?.rc ?? `${input.spec.name}-${templateHashOf(input.spec, input.image)}`,
    replicas: input.spec.replicas,
    image: input.image,
    labels: podLabels(input.spec),
  };
}

/**
 * The last result of an activity type in a history (a deploy admits and renders
 * once; a re-run gives the same): a scheduled activity's, or a local activity's
 * marker (`core_local_activity`: its details name the type and hold the result).
 */
function activityResult<T>(events: HistoryEvent[], activityType: string, first: <U>(p: Payload[] | null | undefined) => U | undefined): T | undefined {
  const scheduled = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType).map((e) => String(e.eventId)),
  );
  const results = events.flatMap((e) => {
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed && scheduled.has(String(completed.scheduledEventId ?? ''))) return [completed.result?.payloads];
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    return first<{ activity_type?: string }>(marker.details?.data?.payloads)?.activity_type === activityType ? [marker.details?.result?.payloads] : [];
  });
  return first<T>(results.at(-1));
}

function withoutDeployflowLabels(labels: Record<string, string>): Record<string, string> {
  const { [DEPLOYMENT_LABEL]: _hash, [MANAGED_BY_LABEL]: _owner, ...rest } = labels;
  return rest;
}

/** Sorted the way the table reads: app, tier, role, language, then name. */
export function sortRcs(rcs: RunningRc[]): RunningRc[] {
  const key = (rc: RunningRc) => [...DEFAULT_GROUP_KEYS.map((k) => rc.labels[k] ?? ''), rc.labels.name ?? '', rc.namespace].join('\u0000');
  return [...rcs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** RCs and pods per value of label `key`; RCs without the label count under "(none)". */
export function groupBy(rcs: RunningRc[], key: string): LabelGroup[] {
  const groups = new Map<string, LabelGroup>();
  for (const rc of rcs) {
    const value = rc.labels[key] || '(none)';
    const group = groups.get(value) ?? { value, rcs: 0, pods: 0, names: [] };
    group.rcs += 1;
    group.pods += rc.replicas;
    group.names.push(rc.rc);
    groups.set(value, group);
  }
  return [...groups.values()].sort((a, b) => b.pods - a.pods || (a.value < b.value ? -1 : 1));
}

function endOf(d: DeployInfo): number {
  return Date.parse(d.closeTime ?? d.startTime);
}
