// Links into the Temporal UI, when DEPLOYFLOW_TEMPORAL_UI says where it runs
// (the UI's address is not discoverable from the frontend's).
export function temporalUiUrl(env: Readonly<Record<string, string | undefined>>, namespace: string, workflowId: string): string | undefined {
  const base = env.DEPLOYFLOW_TEMPORAL_UI?.replace(/\/+$/, '');
  if (!base) return undefined;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
