// apiserver_request_total from the bench apiserver's /metrics, before and
// after a rollout. The metric has no user label, so the delta is the load of
// everything that ran meanwhile; limiting it to the resources a rollout
// touches leaves out the background (leases, node heartbeats).
import { httpGet } from '../stack/components.js';

/** Resources a rollout of either system reads or writes (RC scale is a subresource of replicationcontrollers). */
export const ROLLOUT_RESOURCES = new Set(['pods', 'replicationcontrollers', 'replicasets', 'deployments', 'events', 'secrets']);

export type RequestCounts = Map<string, number>;

const LINE = /^apiserver_request_total\{([^}]*)\} (\S+)$/;

export async function scrapeRequests(apiserver: string, token: string): Promise<RequestCounts> {
  const text = await httpGet(`${apiserver}/metrics`, token);
  const counts: RequestCounts = new Map();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (!ROLLOUT_RESOURCES.has(labels.resource ?? '')) continue;
    const key = `${labels.verb}|${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[2]));
  }
  return counts;
}

/** Requests by verb (GET, LIST, WATCH, POST, PUT, PATCH, DELETE) between two scrapes. */
export function deltaByVerb(before: RequestCounts, after: RequestCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after) {
    const d = value - (before.get(key) ?? 0);
    if (d <= 0) continue;
    const verb = key.split('|')[0] ?? '';
    out[verb] = (out[verb] ?? 0) + d;
  }
  return out;
}

export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

// Audit verbs as apiserver_request_total spells them.
const METRIC_VERB: Record<string, string> = {
  get: 'GET', list: 'LIST', watch: 'WATCH', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE',
};

/** The delta between two scrapes, less the requests the bench made itself (from the audit log). */
export function loadWithout(before: RequestCounts, after: RequestCounts, own: { verb: string }[]): Record<string, number> {
  const load = deltaByVerb(before, after);
  for (const r of own) {
    const verb = METRIC_VERB[r.verb] ?? r.verb.toUpperCase();
    if (load[verb] !== undefined) load[verb] = Math.max(0, load[verb] - 1);
  }
  return load;
}
