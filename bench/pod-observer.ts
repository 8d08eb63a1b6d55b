// A neutral observer of one app's pods during a rollout, the same for both
// systems: when each new pod turned Ready (watch receive time: the condition's
// lastTransitionTime has 1-second resolution), the most pods alive at once,
// the fewest ready, and the moment the rollout is done as seen on the pods
// (every live pod runs the new template, `desired` of them are Ready).
import { Watch, type V1Pod } from '@kubernetes/client-node';
import { DEPLOYMENT_LABEL } from '../domain/labels.js';
import type { BenchKube } from './kube.js';

export interface ReadyEvent {
  pod: string;
  at: number;
}

export interface Observation {
  /** Ready transitions of new-template pods, in order. */
  ready: ReadyEvent[];
  maxLive: number;
  minReady: number;
  doneAt?: number;
  events: number;
}

interface PodState {
  name: string;
  version: string;
  live: boolean;
  ready: boolean;
}

export class PodObserver {
  private readonly pods = new Map<string, PodState>();
  private abort: AbortController | undefined;
  private stopped = false;
  private resolveDone: (at: number) => void = () => {};
  readonly done: Promise<number>;
  readonly result: Observation = { ready: [], maxLive: 0, minReady: Number.POSITIVE_INFINITY, events: 0 };

  constructor(
    private readonly kube: BenchKube,
    private readonly namespace: string,
    private readonly app: string,
    private readonly newVersion: string,
    private readonly desired: number,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  async start(): Promise<void> {
    const list = await this.kube.core.listNamespacedPod({ namespace: this.namespace, labelSelector: `name=${this.app}` });
    for (const pod of list.items) this.record('ADDED', pod, true);
    this.check();
    await this.watchFrom(list.metadata?.resourceVersion);
  }

  stop(): Observation {
    this.stopped = true;
    this.abort?.abort();
    return this.result;
  }

  private async watchFrom(resourceVersion: string | undefined): Promise<void> {
    this.abort = await new Watch(this.kube.kc).watch(
      `/api/v1/namespaces/${this.namespace}/pods`,
      { labelSelector: `name=${this.app}`, resourceVersion },
      (type: string, pod: V1Pod) => {
        this.record(type, pod, false);
        this.check();
      },
      () => {
        if (!this.stopped) void this.start().catch(() => undefined);
      },
    );
  }

  private record(type: string, pod: V1Pod, initial: boolean): void {
    const uid = pod.metadata?.uid ?? '';
    if (type === 'DELETED') {
      this.pods.delete(uid);
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    const phase = pod.status?.phase;
    const live = !pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
    const ready = live && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    const version = pod.metadata?.labels?.[DEPLOYMENT_LABEL] ?? '';
    const before = this.pods.get(uid);
    if (ready && !before?.ready && !initial && version === this.newVersion) {
      this.result.ready.push({ pod: pod.metadata?.name ?? '', at: Date.now() });
    }
    this.pods.set(uid, { name: pod.metadata?.name ?? '', version, live, ready });
  }

  private check(): void {
    let live = 0;
    let ready = 0;
    let newReady = 0;
    let oldLive = 0;
    for (const p of this.pods.values()) {
      if (!p.live) continue;
      live++;
      if (p.ready) ready++;
      if (p.version === this.newVersion) {
        if (p.ready) newReady++;
      } else oldLive++;
    }
    this.result.events++;
    this.result.maxLive = Math.max(this.result.maxLive, live);
    this.result.minReady = Math.min(this.result.minReady, ready);
    if (this.result.doneAt === undefined && oldLive === 0 && newReady >= this.desired) {
      this.result.doneAt = Date.now();
      this.resolveDone(this.result.doneAt);
    }
  }
}
