// A rollout's waits share one list + watch of the app's pods and RCs: on the
// real apiserver, consecutive waits (both sides of a rollout) list once, see
// every change, reopen after the linger, and still catch a hand-made scale;
// the watches' connections come from the calls' keep-alive pool.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { kubeFromConfig, type Kube } from '../../activities/kube.js';
import { ClusterWatches } from '../../activities/cluster-watches.js';
import { toFailure } from '../../activities/errors.js';
import { waitForPods, type PodWaitInput, type WaitHooks } from '../../activities/pods.js';
import { scaleReplicationController } from '../../activities/replication-controllers.js';
import { ANNOTATIONS } from '../../domain/names.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../domain/labels.js';
import { core, freshNamespace } from '../helpers/cluster.js';
import { stackKubeConfig, useStack } from '../helpers/stack.js';

const LINGER_MS = 500;

describe('shared pod and RC watches on the local stack', () => {
  let kc: KubeConfig;
  let kube: Kube;
  let namespace: string;
  let watches: ClusterWatches;
  const lists = { pods: 0, rcs: 0 };
  let rcReads = 0;
  /** Someone else writes the RC just before each of this many scales reaches the apiserver. */
  let writesBeforeScale = 0;
  let touches = 0;
  const touch = ({ namespace: ns, name }: { namespace: string; name: string }) =>
    core(kc).patchNamespacedReplicationController(
      { namespace: ns, name, body: [{ op: 'add', path: '/metadata/labels/touched', value: String(++touches) }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );

  before(async () => {
    kc = stackKubeConfig(await useStack());
    namespace = await freshNamespace(kc, 'watch');
    const real = kubeFromConfig(kc);
    // Count the lists the waits make and the RC reads of the scales, passing every call through to the apiserver.
    const counted = new Proxy(real.core, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (prop === 'readNamespacedReplicationController') rcReads += 1;
          const call = () => (value as (...a: unknown[]) => unknown).apply(target, args);
          if (prop === 'replaceNamespacedReplicationControllerScale' && writesBeforeScale > 0) {
            writesBeforeScale -= 1;
            return touch(args[0] as { namespace: string; name: string }).then(call);
          }
          return call();
        };
      },
    });
    const list: Kube['list'] = (path, labelSelector) => {
      if (path.endsWith('/pods')) lists.pods += 1;
      if (path.endsWith('/replicationcontrollers')) lists.rcs += 1;
      return real.list(path, labelSelector);
    };
    kube = { ...real, core: counted, list };
    watches = new ClusterWatches(kube, LINGER_MS);
    for (const [hash, replicas] of [['aaaa0001', 2], ['bbbb0002', 0]] as const) {
      await core(kc).createNamespacedReplicationController({
        namespace,
        body: {
          metadata: { name: `web-${hash}`, labels: { name: 'web', deployment: hash } },
          spec: {
            replicas,
            selector: { name: 'web', deployment: hash },
            template: { metadata: { labels: { name: 'web', deployment: hash } }, spec: { containers: [{ name: 'web', image: 'registry.example/web:1' }] } },
          },
        },
      });
    }
  });
  after(() => {
    watches?.closeAll();
  });

  const hooks = (): WaitHooks => ({ heartbeat: () => {}, signal: new AbortController().signal, now: () => Date.now() });
  const wait = (input: Partial<PodWaitInput> & Pick<PodWaitInput, 'labelSelector' | 'minAvailable' | 'maxPods'>) =>
    waitForPods(kube, watches, { namespace, target: input.labelSelector ?? '', minReadySeconds: 0, progressDeadlineSeconds: 60, ...input }, hooks());
  const scale = (hash: string, replicas: number) =>
    core(kc).replaceNamespacedReplicationControllerScale({
      name: `web-${hash}`,
      namespace,
      body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: `web-${hash}`, namespace }, spec: { replicas } },
    });
  const expect = (oldReplicas: number, newReplicas: number) => [
    { name: 'web-aaaa0001', replicas: oldReplicas },
    { name: 'web-bbbb0002', replicas: newReplicas },
  ];

  test('a rolling step on both sides lists once and filters each side from the same watch', async () => {
    const before = { ...lists };
    const old = await wait({ labelSelector: 'name=web,deployment!=bbbb0002', minAvailable: 2, maxPods: 2, expect: expect(2, 0) });
    assert.equal(old.available, 2);

    await scale('bbbb0002', 1);
    const grown = await wait({ labelSelector: 'name=web,deployment=bbbb0002', minAvailable: 1, maxPods: 1, expect: expect(2, 1) });
    assert.equal(grown.available, 1, 'the new side counts only its own pod');

    await scale('aaaa0001', 1);
    const shrunk = await wait({ labelSelector: 'name=web,deployment!=bbbb0002', minAvailable: 0, maxPods: 1, expect: expect(1, 1) });
    assert.equal(shrunk.total, 1, 'the old side saw its pod go through the shared watch');

    assert.equal(lists.pods - before.pods, 1, 'three waits, one pod list');
    assert.equal(lists.rcs - before.rcs, 1, 'three waits, one RC list');
    assert.equal(watches.size, 2, 'one pod watch and one RC watch of the app');
  });

  test('the watches list as plain JSON, the shape of their own events; a refused list fails by its status', async () => {
    const listed = await kube.list<V1Pod>(`/api/v1/namespaces/${namespace}/pods`, 'name=web');
    assert.ok(listed.items.length > 0);
    assert.equal(typeof listed.items[0]?.metadata?.creationTimestamp, 'string', 'timestamps as the apiserver wrote them, not Dates');
    assert.match(listed.metadata?.resourceVersion ?? '', /^\d+$/, 'the version the watch goes on from');
    await assert.rejects(kube.list(`/api/v1/namespaces/${namespace}/nosuchthings`, 'name=web'), (err: unknown) => toFailure(err, 'list').type === 'NotFound');
  });

  test("the watches share the calls' keep-alive pool: a watch opened after another resumes its TLS session", async () => {
    const agentOf = async () => (await kube.watch.config.applyToFetchOptions({})).agent;
    const pool = await agentOf();
    assert.ok(pool instanceof https.Agent && pool.options.keepAlive, 'a keep-alive https agent');
    assert.equal(await agentOf(), pool, 'every watch gets the same agent, not one of its own');
    const watchSockets = () => Object.values(pool.sockets).flat().filter((s) => s && !s.destroyed && (s as { _httpMessage?: { path?: string } })._httpMessage?.path?.includes('name%3Dnobody'));
    const open = () => kube.watch.watch(`/api/v1/namespaces/${namespace}/pods`, { labelSelector: 'name=nobody' }, () => {}, () => {});
    const first = await open();
    first.abort();
    const second = await open();
    try {
      const sockets = watchSockets();
      assert.equal(sockets.length, 1, 'the second watch holds one connection of the pool');
      assert.ok(sockets[0] instanceof tls.TLSSocket && sockets[0].isSessionReused(), 'its TLS session was resumed, not negotiated afresh');
    } finally {
      second.abort();
    }
  });

  test('after the linger the watches close, and the next wait lists afresh', async () => {
    await new Promise((r) => setTimeout(r, LINGER_MS + 300));
    assert.equal(watches.size, 0);
    const before = lists.pods;
    const counts = await wait({ labelSelector: 'name=web,deployment=bbbb0002', minAvailable: 1, maxPods: 1, expect: expect(1, 1) });
    assert.equal(counts.available, 1);
    assert.equal(lists.pods - before, 1);
  });

  test('a scale by someone else, once the watch shows it, fails the wait (confirmed by a read of its own)', async () => {
    await scale('aaaa0001', 2);
    await new Promise((r) => setTimeout(r, 300)); // a watch event, not a fresh read, is what a wait sees
    await assert.rejects(
      wait({ labelSelector: 'name=web,deployment=bbbb0002', minAvailable: 1, maxPods: 1, expect: expect(1, 1) }),
      (err: Error & { type?: string }) => err.type === 'RolloutTampered' && /web-aaaa0001 was scaled to 2 by someone else/.test(err.message),
    );
  });

  test('a watch that went quiet without an error cannot declare a stall: the pods are read afresh first', async () => {
    // The same apiserver, but a watch that never delivers an event (a half-open connection).
    const silent = new ClusterWatches({ ...kube, watch: { watch: async () => new AbortController() } as unknown as Kube['watch'] }, LINGER_MS);
    try {
      await scale('bbbb0002', 2); // one more new pod, which the silent watch will never show
      const waitSilently = () =>
        waitForPods(
          kube,
          silent,
          { namespace, target: 'new side', labelSelector: 'name=web,deployment=bbbb0002', minAvailable: 2, maxPods: 2, minReadySeconds: 0, progressDeadlineSeconds: 3 },
          hooks(),
        );
      // The new pod turns Ready a second after it is created (the stack's KWOK stage), so
      // the first list cannot show it available: only a fresh read at the stall can.
      await assert.rejects(waitSilently(), (err: Error & { type?: string }) => err.type === 'WatchStale');
      const retried = await waitSilently();
      assert.equal(retried.available, 2, 'the retry lists afresh and sees both pods');
    } finally {
      silent.closeAll();
    }
  });
  test("a step's scale takes the RC from the open watch; a stale copy costs a conflict and a fresh read, never a wrong write", async () => {
    const owner = { environment: 'watch-test', app: 'api' };
    const hash = 'cccc0003';
    const labels = { name: 'api', deployment: hash, [MANAGED_BY_LABEL]: MANAGED_BY };
    await core(kc).createNamespacedReplicationController({
      namespace,
      body: {
        metadata: { name: `api-${hash}`, labels, annotations: { [ANNOTATIONS.environment]: owner.environment, [ANNOTATIONS.templateHash]: hash } },
        spec: { replicas: 0, selector: { name: 'api', deployment: hash }, template: { metadata: { labels }, spec: { containers: [{ name: 'api', image: 'registry.example/api:1' }] } } },
      },
    });
    const rcs = watches.replicationControllers(namespace, 'name=api');
    try {
      await rcs.watch.ready;
      const cached = () => watches.cachedReplicationController(namespace, 'name=api', `api-${hash}`);
      const read = () => core(kc).readNamespacedReplicationController({ namespace, name: `api-${hash}` });
      const size = async () => (await read()).spec?.replicas;
      // Until the watch shows the RC's latest version (the RC manager writes its status once after the create).
      while (cached()?.metadata?.resourceVersion !== (await read()).metadata?.resourceVersion) await rcs.watch.nextChange(500);

      let reads = rcReads;
      await scaleReplicationController(kube, namespace, `api-${hash}`, 1, owner, 0, cached());
      assert.equal(rcReads - reads, 0, 'the watch showed the RC at the planned size: no read');
      assert.equal(await size(), 1);

      // A copy from before someone else's change (here: a label the test adds) no longer matches the RC's version.
      while (cached()?.spec?.replicas !== 1) await rcs.watch.nextChange(1000);
      const stale = cached();
      await touch({ namespace, name: `api-${hash}` });
      reads = rcReads;
      await scaleReplicationController(kube, namespace, `api-${hash}`, 2, owner, 1, stale);
      assert.equal(rcReads - reads, 1, 'the conflict sent it to the apiserver once');
      assert.equal(await size(), 2);

      // The same stale copy with a plan the RC no longer matches: a fresh read, StalePlan, nothing written.
      await assert.rejects(scaleReplicationController(kube, namespace, `api-${hash}`, 3, owner, 1, stale), (err: Error & { type?: string }) => err.type === 'StalePlan');
      assert.equal(await size(), 2);

      // Writes that leave spec.replicas alone (the RC manager's status, as pods turn ready) between each read and
      // its scale: every one a conflict and a fresh read, more of them than a step once allowed (5), and the scale lands.
      writesBeforeScale = 12;
      reads = rcReads;
      await scaleReplicationController(kube, namespace, `api-${hash}`, 3, owner, 2);
      assert.equal(writesBeforeScale, 0);
      assert.equal(rcReads - reads, 13, 'one read, then one after each conflict');
      assert.equal(await size(), 3);
    } finally {
      rcs.release();
    }
  });
});
