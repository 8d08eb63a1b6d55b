// The cluster handle activities receive: one KubeConfig and the clients made from it.
import type http from 'node:http';
import https from 'node:https';
import type { RequestContext } from '@kubernetes/client-node';
import { CoreV1Api, KubeConfig, ServerConfiguration, Watch, createConfiguration } from './kubernetes-client.js';
import { listPlain, type Listed } from './plain-list.js';

export interface Kube {
  config: KubeConfig;
  core: CoreV1Api;
  watch: Watch;
  /** A list as plain JSON, for the shared watches (plain-list.ts): `path` is the collection's, e.g. /api/v1/namespaces/ns/pods. */
  list<T>(path: string, labelSelector: string): Promise<Listed<T>>;
}

export function kubeFromConfig(config: KubeConfig): Kube {
  const pool = new AgentPool();
  return {
    config,
    core: pooledCoreApi(config, pool),
    watch: new Watch(pooledForWatches(config, pool)),
    list: (path, labelSelector) => listPlain(config, (fresh) => pool.reuse(fresh), path, labelSelector),
  };
}

/**
 * The client library gives every call a new https.Agent, so a new TLS handshake;
 * a rollout makes several calls per step. Calls share one keep-alive pool here
 * instead (what kubectl and client-go do). Proxy agents are left alone.
 */
function pooledCoreApi(config: KubeConfig, pool: AgentPool): CoreV1Api {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('no active cluster in the kubeconfig');
  const reuse = {
    pre: async (ctx: RequestContext) => {
      const agent = pool.reuse(ctx.getAgent());
      if (agent) ctx.setAgent(agent);
      return ctx;
    },
    post: async <T>(res: T) => res,
  };
  return new CoreV1Api(
    createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: config }, promiseMiddleware: [reuse] }),
  );
}

/**
 * The kubeconfig as the watches see it: the client library gives each watch a
 * new agent too, so each of a rollout's watches (its app's pods, its RCs) began
 * with a full TLS handshake of its own: about 1.5 ms more of the apiserver's
 * CPU than a connection that resumes the pool's TLS session (measured against
 * the local stack). A watch holds its connection for as long as it runs, as before.
 */
function pooledForWatches(config: KubeConfig, pool: AgentPool): KubeConfig {
  const pooled: KubeConfig = Object.create(config);
  pooled.applyToFetchOptions = async (opts) => {
    const init = await config.applyToFetchOptions(opts);
    const agent = pool.reuse(init.agent instanceof https.Agent ? init.agent : undefined);
    return agent ? { ...init, agent } : init;
  };
  return pooled;
}

class AgentPool {
  private agent: https.Agent | undefined;
  private key = '';

  /** The pooled agent for the TLS settings of `fresh` (changed certificates get a new pool). */
  reuse(fresh: http.Agent | undefined): http.Agent | undefined {
    if (!(fresh instanceof https.Agent) || fresh.constructor !== https.Agent) return fresh;
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = fresh.options;
    const id = [ca, cert, key, pfx, passphrase, rejectUnauthorized, servername].map(text).join('|');
    if (!this.agent || id !== this.key) {
      this.agent?.destroy();
      this.agent = new https.Agent({ ca, cert, key, pfx, passphrase, rejectUnauthorized, servername, keepAlive: true });
      this.key = id;
    }
    return this.agent;
  }
}

const text = (v: unknown): string => (v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('base64') : Array.isArray(v) ? v.map(text).join(',') : String(v));
