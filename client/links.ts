// Links into the Temporal UI, when DEPLOYFLOW_TEMPORAL_UI says where it runs
// (the UI's address is not discoverable from the frontend's).
// With a run id the link is to that run (a Slack message is about one deploy,
// not whatever runs under the app's workflow id later).
export function temporalUiUrl(env: Readonly<Record<string, string | undefined>>, namespace: string, workflowId: string, runId?: string): string | undefined {
  const base = env.DEPLOYFLOW_TEMPORAL_UI?.replace(/\/+$/, '');
  if (!base) return undefined;
  const workflow = `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${workflow}/${encodeURIComponent(runId)}/history` : workflow;
}
