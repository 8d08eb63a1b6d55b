// domain/pod-security.ts against the real thing: the stack's apiserver (1.34) runs
// Pod Security Admission. Each pod of the table is created (dry run: admission
// runs, nothing is stored) in a namespace enforcing baseline and in one enforcing
// restricted; the apiserver's verdict must be the domain checker's, pod by pod.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeConfig } from '@kubernetes/client-node';
import { checkPodSecurity, type EnforcedLevel } from '../../domain/pod-security.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import { useStack, stackKubeConfig } from '../helpers/stack.js';
import { core } from '../helpers/cluster.js';
import { edit, type Raw } from '../unit/spec-fixture.js';

const C = 'spec.containers[0]';
const SC = `${C}.securityContext`;

function pod(): Raw {
  return {
    metadata: { name: 'p', labels: { name: 'p' } },
    spec: {
      containers: [{ name: 'api', image: 'registry.example/api:1', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 8080 } } }],
      volumes: [{ name: 'config', configMap: { name: 'api' } }],
    },
  };
}

// A function: edit() puts these objects into the pod, and later paths of a row write into them.
const restricted = () => ({
  'spec.securityContext': { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  [SC]: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
});

/** Pods the API validates (so admission decides), each a change to a plain pod or to one that meets restricted. */
const PODS: () => Array<[what: string, changes: Record<string, unknown>]> = () => [
  ['plain', {}],
  ['restricted', restricted()],
  ['hostNetwork', { 'spec.hostNetwork': true }],
  ['hostPID', { ...restricted(), 'spec.hostPID': true }],
  ['hostIPC', { 'spec.hostIPC': true }],
  ['privileged', { [`${SC}.privileged`]: true }],
  ['adds CHOWN', { [`${SC}.capabilities.add`]: ['CHOWN'] }],
  ['adds SYS_ADMIN', { [`${SC}.capabilities.add`]: ['SYS_ADMIN'] }],
  ['restricted, adds NET_BIND_SERVICE', { ...restricted(), [`${SC}.capabilities`]: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }],
  ['restricted, adds CHOWN', { ...restricted(), [`${SC}.capabilities`]: { drop: ['ALL'], add: ['CHOWN'] } }],
  ['restricted, drops only NET_RAW', { ...restricted(), [`${SC}.capabilities`]: { drop: ['NET_RAW'] } }],
  ['hostPath', { 'spec.volumes[1]': { name: 'root', hostPath: { path: '/' } } }],
  ['restricted, nfs', { ...restricted(), 'spec.volumes[1]': { name: 'n', nfs: { server: 'nfs.example', path: '/' } } }],
  ['restricted, emptyDir and projected', { ...restricted(), 'spec.volumes[1]': { name: 'e', emptyDir: {} }, 'spec.volumes[2]': { name: 'p', projected: { sources: [] } } }],
  ['a host port', { [`${C}.ports[0].hostPort`]: 8080 }],
  ['a probe host', { [`${C}.readinessProbe.httpGet.host`]: '169.254.169.254' }],
  ['a preStop hook host', { [`${C}.lifecycle.preStop.tcpSocket`]: { port: 80, host: '10.0.0.1' } }],
  ['seccomp Unconfined', { 'spec.securityContext.seccompProfile.type': 'Unconfined' }],
  ['restricted, seccomp only on the container', { ...restricted(), 'spec.securityContext': { runAsNonRoot: true }, [`${SC}.seccompProfile`]: { type: 'RuntimeDefault' } }],
  ['AppArmor Unconfined', { [`${SC}.appArmorProfile.type`]: 'Unconfined' }],
  ['AppArmor RuntimeDefault', { 'spec.securityContext.appArmorProfile.type': 'RuntimeDefault' }],
  ['SELinux spc_t', { 'spec.securityContext.seLinuxOptions.type': 'spc_t' }],
  ['SELinux container_t with a level', { [`${SC}.seLinuxOptions`]: { type: 'container_t', level: 's0:c1,c2' } }],
  ['SELinux user', { [`${SC}.seLinuxOptions.user`]: 'system_u' }],
  ['an unsafe sysctl', { 'spec.securityContext.sysctls': [{ name: 'kernel.msgmax', value: '65536' }] }],
  ['safe sysctls', { 'spec.securityContext.sysctls': [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }, { name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }] }],
  ['restricted, runAsNonRoot false on the container', { ...restricted(), [`${SC}.runAsNonRoot`]: false }],
  ['restricted, runAsUser 0', { ...restricted(), 'spec.securityContext.runAsUser': 0 }],
  ['restricted, runAsUser 1000', { ...restricted(), 'spec.securityContext.runAsUser': 1000 }],
  ['restricted, allowPrivilegeEscalation true', { ...restricted(), [`${SC}.allowPrivilegeEscalation`]: true }],
  ['restricted but an init container is not', { ...restricted(), 'spec.initContainers': [{ name: 'init', image: 'registry.example/init:1' }] }],
];

describe('domain/pod-security.ts agrees with the apiserver’s Pod Security Admission', () => {
  let info: StackInfo;
  let admin: KubeConfig;
  const namespaces: Partial<Record<EnforcedLevel, string>> = {};

  before(async () => {
    info = await useStack();
    admin = stackKubeConfig(info);
    for (const level of ['baseline', 'restricted'] as const) {
      const name = `psa-${level}-${process.pid}-${Date.now().toString(36)}`;
      const labels = { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/enforce-version': 'latest' };
      await core(admin).createNamespace({ body: { metadata: { name, labels } } });
      namespaces[level] = name;
    }
  });

  /** True when admitted, false when Pod Security refused it; anything else fails the test. */
  async function admitted(body: Raw, namespace: string): Promise<boolean> {
    try {
      await core(admin).createNamespacedPod({ namespace, body, dryRun: 'All' });
      return true;
    } catch (err) {
      const e = err as { code?: number; body?: string };
      const message = (JSON.parse(e.body ?? '{}') as { message?: string }).message ?? String(err);
      assert.equal(e.code, 403, `refused for another reason than Pod Security: ${message}`);
      assert.match(message, /violates PodSecurity/);
      return false;
    }
  }

  for (const level of ['baseline', 'restricted'] as const) {
    for (const [what, changes] of PODS()) {
      test(`${level}: ${what}`, async () => {
        const body = edit(pod(), changes);
        const issues = checkPodSecurity(body, { level, allowHostPorts: false });
        const apiserver = await admitted(body, namespaces[level]!);
        assert.equal(issues.length === 0, apiserver, `the apiserver ${apiserver ? 'admits' : 'refuses'} it; deployflow says ${JSON.stringify(issues)}`);
      });
    }
  }

  test('the table covers both verdicts at both levels', () => {
    for (const level of ['baseline', 'restricted'] as const) {
      const verdicts = new Set(PODS().map(([, changes]) => checkPodSecurity(edit(pod(), changes), { level, allowHostPorts: false }).length === 0));
      assert.deepEqual([...verdicts].sort(), [false, true], level);
    }
  });
});
