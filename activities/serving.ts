// What serves an app, and a watch that fails as soon as that stops being the
// RC a release promoted or it loses an available pod (the release's soak).
// Read-only: a soak never writes to the cluster.
import { ApplicationFailure } from '@temporalio/common';
import { soakVerdict, type Serving } from '../domain/release-state.js';
import type { Kube } from './kube.js';
import { listReplicationControllers, type Owner, type RcInfo } from './replication-controllers.js';

/** The RC asked to serve (the newest one with replicas), or undefined before the first deploy. */
export function servingOf(rcs: readonly RcInfo[]): Serving | undefined {
  const rc = rcs.filter((r) => r.replicas > 0).sort((a, b) => b.revision - a.revision)[0];
  return rc && { rc: rc.name, revision: rc.revision, image: rc.image.split(',')[0] ?? rc.image, replicas: rc.replicas };
}

export async function readServing(kube: Kube, namespace: string, owner: Owner): Promise<Serving | undefined> {
  return servingOf(await listReplicationControllers(kube, namespace, owner));
}

export interface WatchHooks {
  heartbeat(details: unknown): void;
  signal: AbortSignal;
  /** How often the RCs are read again (a second by default). */
  intervalMs?: number;
}

/**
 * Returns only when cancelled (the soak's timer ran out); throws `Pinned` when
 * someone changed what serves, `SoakFailed` when the RC is not fully available.
 */
export async function watchServing(kube: Kube, namespace: string, owner: Owner, expected: Serving, hooks: WatchHooks): Promise<void> {
  while (!hooks.signal.aborted) {
    const rcs = await listReplicationControllers(kube, namespace, owner);
    const verdict = soakVerdict(expected, rcs);
    if (!verdict.ok) {
      throw ApplicationFailure.create({
        type: verdict.kind === 'pinned' ? 'Pinned' : 'SoakFailed',
        message: verdict.message,
        nonRetryable: true,
        details: [{ reason: verdict.kind === 'pinned' ? 'Pinned' : 'SoakFailed' }],
      });
    }
    hooks.heartbeat({ rc: expected.rc, available: rcs.find((rc) => rc.name === expected.rc)?.availableReplicas });
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        hooks.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, hooks.intervalMs ?? 1000);
      hooks.signal.addEventListener('abort', done, { once: true });
    });
  }
}
