// Links into the Temporal UI, when DEPLOYFLOW_TEMPORAL_UI says where it runs
// (the UI's address is not discoverable from the frontend's).
import { SEARCH_ATTRIBUTES } from '../domain/names.js';
import type { Phase } from '../domain/phases.js';

function uiBase(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.DEPLOYFLOW_TEMPORAL_UI?.replace(/\/+$/, '') || undefined;
}

// With a run id the link is to that run (a Slack message is about one deploy,
// not whatever runs under the app's workflow id later).
export function temporalUiUrl(env: Readonly<Record<string, string | undefined>>, namespace: string, workflowId: string, runId?: string): string | undefined {
  const base = uiBase(env);
  if (!base) return undefined;
  const workflow = `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${workflow}/${encodeURIComponent(runId)}/history` : workflow;
}

export const STUCK_VIEW_NAME = 'Stuck deploys';
/** The list columns that make a stuck deploy stand out (the UI keeps columns per browser too). */
export const UI_LIST_COLUMNS = [SEARCH_ATTRIBUTES.phase, SEARCH_ATTRIBUTES.environment, SEARCH_ATTRIBUTES.app];
const STUCK: Phase = 'Stuck';

/**
 * The workflow list filtered to stuck deploys. The UI (2.42) keeps saved views
 * in the browser, not on the server; its `savedQuery` parameter saves the
 * opened query as a view of that name, so this one link is the setup.
 */
export function stuckDeploysViewUrl(env: Readonly<Record<string, string | undefined>>, namespace: string): string | undefined {
  const base = uiBase(env);
  if (!base) return undefined;
  const query = encodeURIComponent(`${SEARCH_ATTRIBUTES.phase}="${STUCK}"`);
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${query}&savedQuery=${encodeURIComponent(STUCK_VIEW_NAME)}`;
}
