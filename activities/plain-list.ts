// A list for the shared watches, read as plain JSON. The client library's typed
// list walks every field of every object into class instances: for an app of
// 100 pods (430 KB) that was most of the worker's CPU as a rollout starts, on
// the main thread the next workflow task waits for, on the way to the first
// scale. The watch's own events arrive as plain JSON, so its items now have one
// shape whichever way they came (timestamps are strings, domain/pods.ts reads both).
import http from 'node:http';
import https from 'node:https';
import { ApiException, type KubeConfig } from './kubernetes-client.js';

export interface Listed<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

/** GET `path`?labelSelector=…, with the kubeconfig's credentials, through `agentFor` (a pooled agent). */
export async function listPlain<T>(config: KubeConfig, agentFor: (fresh: http.Agent | undefined) => http.Agent | undefined, path: string, labelSelector: string): Promise<Listed<T>> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('no active cluster in the kubeconfig');
  const options: https.RequestOptions = {};
  await config.applyToHTTPSOptions(options);
  const url = new URL(path, cluster.server);
  url.searchParams.set('labelSelector', labelSelector);
  const get = url.protocol === 'http:' ? http.get : https.get;
  const agent = agentFor(options.agent instanceof http.Agent ? options.agent : undefined);
  const { status, headers, body } = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = get(url, { ...options, agent, headers: { ...options.headers, Accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  // The typed client's failure for a status it does not accept: errors.ts names it by its code.
  if (status < 200 || status > 299) throw new ApiException(status, `HTTP-Code: ${status}`, body, headers as Record<string, string>);
  return JSON.parse(body) as Listed<T>;
}
