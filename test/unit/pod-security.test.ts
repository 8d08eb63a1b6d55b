// The Pod Security Standards as domain/pod-security.ts checks them: one row per
// control and allowed value of the Kubernetes docs, on a pod that meets the level
// (so each row shows exactly what its change breaks).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPodSecurity, type EnforcedLevel } from '../../domain/pod-security.js';
import { REMOVE, assertIssues, edit, type ExpectedIssue, type Raw } from './spec-fixture.js';

/** Meets baseline, not restricted. */
function baselinePod(): Raw {
  return {
    metadata: { labels: { name: 'api' } },
    spec: {
      containers: [
        {
          name: 'api',
          image: 'registry.example/api:1.0',
          ports: [{ containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'api' } }],
    },
  };
}

/** Meets restricted. */
function restrictedPod(): Raw {
  return edit(baselinePod(), {
    'spec.securityContext': { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    'spec.containers[0].securityContext': { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  });
}

type Row = [what: string, changes: Record<string, unknown>, expected: ExpectedIssue[]];

function check(pod: Raw, level: EnforcedLevel, allowHostPorts = false) {
  return checkPodSecurity(pod, { level, allowHostPorts });
}

const C = 'spec.containers[0]';
const SC = `${C}.securityContext`;

describe('Pod Security baseline', () => {
  test('the baseline pod meets baseline and not restricted', () => {
    assert.deepEqual(check(baselinePod(), 'baseline'), []);
    assert.ok(check(baselinePod(), 'restricted').length > 0);
  });

  const rows: Row[] = [
    // HostProcess
    ['pod hostProcess', { 'spec.securityContext.windowsOptions.hostProcess': true }, [['securityContext.windowsOptions.hostProcess', /^must be false or unset \(Pod Security baseline: HostProcess\)$/]]],
    ['container hostProcess', { [`${SC}.windowsOptions.hostProcess`]: true }, [['containers[0].securityContext.windowsOptions.hostProcess', /HostProcess/]]],
    ['hostProcess false', { [`${SC}.windowsOptions.hostProcess`]: false }, []],
    // host namespaces
    ['hostNetwork', { 'spec.hostNetwork': true }, [['hostNetwork', 'must be false or unset (Pod Security baseline: host namespaces)']]],
    ['hostPID', { 'spec.hostPID': true }, [['hostPID', /host namespaces/]]],
    ['hostIPC', { 'spec.hostIPC': true }, [['hostIPC', /host namespaces/]]],
    ['hostNetwork false', { 'spec.hostNetwork': false }, []],
    ['hostNetwork null', { 'spec.hostNetwork': null }, []],
    ['hostNetwork as the string "true"', { 'spec.hostNetwork': 'true' }, [['hostNetwork', /host namespaces/]]],
    ['hostNetwork as the string "false" (not a value the docs list)', { 'spec.hostNetwork': 'false' }, [['hostNetwork', /host namespaces/]]],
    // privileged
    ['privileged', { [`${SC}.privileged`]: true }, [['containers[0].securityContext.privileged', /privileged containers/]]],
    ['privileged false', { [`${SC}.privileged`]: false }, []],
    ['privileged init container', { 'spec.initContainers': [{ name: 'init', image: 'x', securityContext: { privileged: true } }] }, [['initContainers[0].securityContext.privileged', /privileged containers/]]],
    ['privileged ephemeral container', { 'spec.ephemeralContainers': [{ name: 'debug', image: 'x', securityContext: { privileged: 1 } }] }, [['ephemeralContainers[0].securityContext.privileged', /privileged containers/]]],
    // capabilities
    ['adding a default capability', { [`${SC}.capabilities.add`]: ['NET_BIND_SERVICE', 'CHOWN', 'KILL', 'SYS_CHROOT'] }, []],
    ['adding SYS_ADMIN', { [`${SC}.capabilities.add`]: ['CHOWN', 'SYS_ADMIN'] }, [['containers[0].securityContext.capabilities.add[1]', /^must be one of AUDIT_WRITE, .* \(Pod Security baseline: capabilities\)$/]]],
    ['adding NET_RAW (not in the default set)', { [`${SC}.capabilities.add`]: ['NET_RAW'] }, [['containers[0].securityContext.capabilities.add[0]', /capabilities/]]],
    ['adding ALL', { [`${SC}.capabilities.add`]: ['ALL'] }, [['containers[0].securityContext.capabilities.add[0]', /capabilities/]]],
    ['capabilities in lowercase', { [`${SC}.capabilities.add`]: ['sys_admin'] }, [['containers[0].securityContext.capabilities.add[0]', /capabilities/]]],
    ['capabilities.add not a list', { [`${SC}.capabilities.add`]: 'SYS_ADMIN' }, [['containers[0].securityContext.capabilities.add', /^must be a list/]]],
    ['dropping anything', { [`${SC}.capabilities.drop`]: ['ALL'] }, []],
    // hostPath
    ['a hostPath volume', { 'spec.volumes[1]': { name: 'root', hostPath: { path: '/' } } }, [['volumes[1].hostPath', /hostPath volumes/]]],
    ['a hostPath of null', { 'spec.volumes[1]': { name: 'x', hostPath: null, emptyDir: {} } }, []],
    // host ports
    ['a host port', { [`${C}.ports[0].hostPort`]: 9100 }, [['containers[0].ports[0].hostPort', /^must not be set: host ports are for per-node agents \(perNode: true\) only \(Pod Security baseline: host ports\)$/]]],
    ['host port 0', { [`${C}.ports[0].hostPort`]: 0 }, []],
    // probes and lifecycle hooks
    ['readiness probe host', { [`${C}.readinessProbe.httpGet.host`]: '169.254.169.254' }, [['containers[0].readinessProbe.httpGet.host', /host probes and lifecycle hooks/]]],
    ['liveness probe tcp host', { [`${C}.livenessProbe.tcpSocket`]: { port: 1, host: 'kubernetes.default' } }, [['containers[0].livenessProbe.tcpSocket.host', /host probes/]]],
    ['startup probe host', { [`${C}.startupProbe.httpGet`]: { port: 1, host: '10.0.0.1' } }, [['containers[0].startupProbe.httpGet.host', /host probes/]]],
    ['postStart hook host', { [`${C}.lifecycle.postStart.httpGet`]: { port: 1, host: 'x' } }, [['containers[0].lifecycle.postStart.httpGet.host', /host probes/]]],
    ['preStop hook host', { [`${C}.lifecycle.preStop.tcpSocket`]: { port: 1, host: 'x' } }, [['containers[0].lifecycle.preStop.tcpSocket.host', /host probes/]]],
    ['an empty probe host', { [`${C}.readinessProbe.httpGet.host`]: '' }, []],
    // AppArmor
    ['AppArmor Unconfined (pod)', { 'spec.securityContext.appArmorProfile.type': 'Unconfined' }, [['securityContext.appArmorProfile.type', /AppArmor/]]],
    ['AppArmor Unconfined (container)', { [`${SC}.appArmorProfile.type`]: 'Unconfined' }, [['containers[0].securityContext.appArmorProfile.type', /AppArmor/]]],
    ['AppArmor RuntimeDefault and Localhost', { 'spec.securityContext.appArmorProfile.type': 'RuntimeDefault', [`${SC}.appArmorProfile`]: { type: 'Localhost', localhostProfile: 'p' } }, []],
    ['AppArmor annotation unconfined', { 'metadata.annotations': { 'container.apparmor.security.beta.kubernetes.io/api': 'unconfined' } }, [['metadata.annotations.container.apparmor.security.beta.kubernetes.io/api', /AppArmor/]]],
    ['AppArmor annotations allowed', { 'metadata.annotations': { 'container.apparmor.security.beta.kubernetes.io/api': 'runtime/default', 'container.apparmor.security.beta.kubernetes.io/b': 'localhost/p', 'container.apparmor.security.beta.kubernetes.io/c': '', other: 'x' } }, []],
    // SELinux
    ['SELinux type container_t', { 'spec.securityContext.seLinuxOptions': { type: 'container_t', level: 's0:c1,c2' } }, []],
    ['SELinux type container_engine_t', { [`${SC}.seLinuxOptions.type`]: 'container_engine_t' }, []],
    ['SELinux type spc_t', { [`${SC}.seLinuxOptions.type`]: 'spc_t' }, [['containers[0].securityContext.seLinuxOptions.type', /SELinux/]]],
    ['SELinux user', { 'spec.securityContext.seLinuxOptions.user': 'system_u' }, [['securityContext.seLinuxOptions.user', /^must not be set \(Pod Security baseline: SELinux\)$/]]],
    ['SELinux role', { [`${SC}.seLinuxOptions.role`]: 'sysadm_r' }, [['containers[0].securityContext.seLinuxOptions.role', /SELinux/]]],
    // /proc mount
    ['procMount Unmasked', { [`${SC}.procMount`]: 'Unmasked' }, [['containers[0].securityContext.procMount', /\/proc mount type/]]],
    ['procMount Default', { [`${SC}.procMount`]: 'Default' }, []],
    // seccomp
    ['seccomp Unconfined (pod)', { 'spec.securityContext.seccompProfile.type': 'Unconfined' }, [['securityContext.seccompProfile.type', /seccomp/]]],
    ['seccomp Unconfined (container)', { [`${SC}.seccompProfile.type`]: 'Unconfined' }, [['containers[0].securityContext.seccompProfile.type', /seccomp/]]],
    ['seccomp RuntimeDefault', { [`${SC}.seccompProfile.type`]: 'RuntimeDefault' }, []],
    ['a seccomp profile without a type', { [`${SC}.seccompProfile`]: {} }, [['containers[0].securityContext.seccompProfile.type', /seccomp/]]],
    ['an AppArmor profile without a type', { 'spec.securityContext.appArmorProfile': { localhostProfile: 'x' } }, [['securityContext.appArmorProfile.type', /AppArmor/]]],
    // sysctls
    ['safe sysctls (1.0, 1.27, 1.29 and 1.32 additions)', { 'spec.securityContext.sysctls': ['net.ipv4.ip_local_port_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_wmem'].map((name) => ({ name, value: '1' })) }, []],
    ['an unsafe sysctl', { 'spec.securityContext.sysctls': [{ name: 'kernel.msgmax', value: '1' }] }, [['securityContext.sysctls[0].name', /sysctls/]]],
    ['a sysctl without a name', { 'spec.securityContext.sysctls': [{ value: '1' }] }, [['securityContext.sysctls[0].name', /sysctls/]]],
    // shapes the API server would not even decode are refused, not skipped
    ['a security context that is not a mapping', { [SC]: 'privileged' }, [['containers[0].securityContext', /^must be a mapping/]]],
    ['a pod security context that is a list', { 'spec.securityContext': [] }, [['securityContext', /^must be a mapping/]]],
    ['capabilities that are not a mapping', { [`${SC}.capabilities`]: ['SYS_ADMIN'] }, [['containers[0].securityContext.capabilities', /^must be a mapping/]]],
  ];
  for (const [what, changes, expected] of rows) {
    test(what, () => assertIssues(check(edit(baselinePod(), changes), 'baseline'), expected, what));
  }

  test('host ports are allowed for per-node agents only', () => {
    const pod = edit(baselinePod(), { [`${C}.ports[0].hostPort`]: 9100 });
    assert.deepEqual(check(pod, 'baseline', true), []);
    assert.equal(check(pod, 'baseline', false).length, 1);
  });

  test('every problem at once, in pod order', () => {
    const pod = edit(baselinePod(), {
      'spec.hostNetwork': true,
      'spec.hostPID': true,
      [`${SC}.privileged`]: true,
      [`${SC}.capabilities.add`]: ['SYS_ADMIN'],
      'spec.volumes[1]': { name: 'root', hostPath: { path: '/' } },
    });
    assert.deepEqual(check(pod, 'baseline').map((i) => i.field), [
      'hostNetwork', 'hostPID', 'volumes[1].hostPath', 'containers[0].securityContext.privileged', 'containers[0].securityContext.capabilities.add[0]',
    ]);
  });

  test('any shape at all is read without throwing', () => {
    const shapes: unknown[] = [undefined, null, 3, 'pod', [], {}, { spec: 1 }, { spec: { containers: 'x' } }, { spec: { containers: [null, 1, []] } },
      { spec: { volumes: [null, 'x'] } }, { spec: { securityContext: { sysctls: 'x' } } }, { metadata: { annotations: [] } }];
    for (const shape of shapes) {
      assert.doesNotThrow(() => check(shape as Raw, 'restricted'), JSON.stringify(shape));
    }
  });

  test('inherited properties are not read as fields', () => {
    const spec = Object.create({ hostNetwork: true, containers: [{ securityContext: { privileged: true } }] }) as Raw;
    assert.deepEqual(check({ spec }, 'baseline'), []);
  });
});

describe('Pod Security restricted', () => {
  test('the restricted pod meets restricted', () => assert.deepEqual(check(restrictedPod(), 'restricted'), []));

  test('the baseline pod falls short in each restricted control', () => {
    assertIssues(check(baselinePod(), 'restricted'), [
      ['containers[0].securityContext.allowPrivilegeEscalation', 'must be false (Pod Security restricted: privilege escalation)'],
      ['containers[0].securityContext.runAsNonRoot', /^must be true \(here or in the pod's securityContext\) \(Pod Security restricted: running as non-root\)$/],
      ['containers[0].securityContext.seccompProfile.type', /Pod Security restricted: seccomp/],
      ['containers[0].securityContext.capabilities.drop', 'must include ALL (Pod Security restricted: capabilities)'],
    ], 'baseline pod');
  });

  const rows: Row[] = [
    // volume types
    ['every allowed volume type', {
      'spec.volumes': ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'].map((t, i) => ({ name: `v${i}`, [t]: {} })),
    }, []],
    ['a volume without a source (an emptyDir)', { 'spec.volumes[1]': { name: 'scratch' } }, []],
    ['an nfs volume', { 'spec.volumes[1]': { name: 'n', nfs: { server: 'x', path: '/' } } }, [['volumes[1].nfs', /^must not be used: volumes must be one of configMap, .* \(Pod Security restricted: volume types\)$/]]],
    ['a gitRepo volume', { 'spec.volumes[1]': { name: 'g', gitRepo: { repository: 'x' } } }, [['volumes[1].gitRepo', /volume types/]]],
    ['a hostPath volume (both levels)', { 'spec.volumes[1]': { name: 'h', hostPath: { path: '/' } } }, [['volumes[1].hostPath', /baseline: hostPath volumes/], ['volumes[1].hostPath', /restricted: volume types/]]],
    ['an unknown volume key', { 'spec.volumes[1]': { name: 'u', madeUp: {} } }, [['volumes[1].madeUp', /volume types/]]],
    // privilege escalation
    ['allowPrivilegeEscalation true', { [`${SC}.allowPrivilegeEscalation`]: true }, [['containers[0].securityContext.allowPrivilegeEscalation', /privilege escalation/]]],
    ['allowPrivilegeEscalation unset', { [`${SC}.allowPrivilegeEscalation`]: REMOVE }, [['containers[0].securityContext.allowPrivilegeEscalation', /privilege escalation/]]],
    // non-root
    ['runAsNonRoot at the container instead of the pod', { 'spec.securityContext.runAsNonRoot': REMOVE, [`${SC}.runAsNonRoot`]: true }, []],
    ['runAsNonRoot false at the pod', { 'spec.securityContext.runAsNonRoot': false }, [['securityContext.runAsNonRoot', /running as non-root\)$/], ['containers[0].securityContext.runAsNonRoot', /running as non-root\)$/]]],
    ['runAsNonRoot false at the container, true at the pod', { [`${SC}.runAsNonRoot`]: false }, [['containers[0].securityContext.runAsNonRoot', /running as non-root/]]],
    ['runAsNonRoot false at the pod, true at the container', { 'spec.securityContext.runAsNonRoot': false, [`${SC}.runAsNonRoot`]: true }, [['securityContext.runAsNonRoot', /running as non-root/]]],
    ['runAsUser 0 at the pod', { 'spec.securityContext.runAsUser': 0 }, [['securityContext.runAsUser', /^must not be 0 \(root\) \(Pod Security restricted: running as non-root user\)$/]]],
    ['runAsUser 0 at the container', { [`${SC}.runAsUser`]: 0 }, [['containers[0].securityContext.runAsUser', /non-root user/]]],
    ['runAsUser 1000', { 'spec.securityContext.runAsUser': 1000, [`${SC}.runAsUser`]: 1001 }, []],
    // seccomp
    ['seccomp at the container instead of the pod', { 'spec.securityContext.seccompProfile': REMOVE, [`${SC}.seccompProfile.type`]: 'Localhost' }, []],
    ['no seccomp anywhere', { 'spec.securityContext.seccompProfile': REMOVE }, [['containers[0].securityContext.seccompProfile.type', /restricted: seccomp/]]],
    ['seccomp Unconfined at the pod', { 'spec.securityContext.seccompProfile.type': 'Unconfined' }, [['securityContext.seccompProfile.type', /baseline: seccomp/], ['containers[0].securityContext.seccompProfile.type', /restricted: seccomp/]]],
    ['seccomp Unconfined at the container', { [`${SC}.seccompProfile.type`]: 'Unconfined' }, [['containers[0].securityContext.seccompProfile.type', /baseline: seccomp/], ['containers[0].securityContext.seccompProfile.type', /restricted: seccomp/]]],
    // capabilities
    ['adding NET_BIND_SERVICE', { [`${SC}.capabilities.add`]: ['NET_BIND_SERVICE'] }, []],
    ['adding CHOWN (baseline allows it, restricted does not)', { [`${SC}.capabilities.add`]: ['CHOWN'] }, [['containers[0].securityContext.capabilities.add[0]', 'must be NET_BIND_SERVICE or nothing (Pod Security restricted: capabilities)']]],
    ['dropping only NET_RAW', { [`${SC}.capabilities.drop`]: ['NET_RAW'] }, [['containers[0].securityContext.capabilities.drop', /must include ALL/]]],
    ['dropping "all" in lowercase', { [`${SC}.capabilities.drop`]: ['all'] }, [['containers[0].securityContext.capabilities.drop', /must include ALL/]]],
    // every container kind
    ['an init container that does not meet restricted', { 'spec.initContainers': [{ name: 'init', image: 'x' }] }, [
      ['initContainers[0].securityContext.allowPrivilegeEscalation', /privilege escalation/],
      ['initContainers[0].securityContext.capabilities.drop', /must include ALL/],
    ]],
  ];
  for (const [what, changes, expected] of rows) {
    test(what, () => assertIssues(check(edit(restrictedPod(), changes), 'restricted'), expected, what));
  }
});
