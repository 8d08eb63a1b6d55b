// The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards,
// Kubernetes 1.34, as its Pod Security Admission checks them), checked on a pod
// template before anything is written, so a refusal names the field instead of
// surfacing later as a pod the namespace's Pod Security Admission rejects (or never
// rejects, because the namespace is not labelled).
//
// Every control is an allowlist ("allowed values" in the docs): a value of a kind the
// docs do not list (a string where a boolean goes) is refused, never read as false.
// Fields are named from the pod spec down (`hostNetwork`, `containers[0].securityContext.privileged`),
// which is how the app spec names them. Two choices of ours:
//  - host ports, which the baseline level allows only from "a known list", are allowed
//    for per-node agents (`allowHostPorts`), which need them, and refused otherwise;
//  - the restricted level's exemptions for Windows pods (`spec.os.name: windows`) are not
//    made: deployflow runs Linux pods, and an exemption a caller can claim is a bypass.
import type { SpecIssue } from './errors.js';
import { isMapping, type Mapping } from './spec-checks.js';
import { at, own, ownList, ownMapping, podContainers } from './untrusted.js';

export type EnforcedLevel = 'baseline' | 'restricted';

export interface PodSecurityOptions {
  level: EnforcedLevel;
  /** Host ports are allowed (per-node agents); otherwise refused. */
  allowHostPorts: boolean;
}

/** Capabilities the baseline level lets a container add (the container runtimes' default set). */
export const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID',
  'SETPCAP', 'SETUID', 'SYS_CHROOT',
] as const;
/** Sysctls namespaced to the pod and isolated from other pods on the node. */
export const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
] as const;
export const SELINUX_TYPES = ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'] as const;
/** Volume sources the restricted level allows: the core types, and storage set up by the cluster's admins. */
export const RESTRICTED_VOLUME_TYPES = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret',
] as const;

const PROFILE_TYPES = ['RuntimeDefault', 'Localhost'];
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;

type Level = EnforcedLevel;
type Report = (field: string, rule: string, control: string, level?: Level) => void;

/** Every way `template` ({ metadata, spec } of a pod) falls short of `options.level`. */
export function checkPodSecurity(template: unknown, options: PodSecurityOptions): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const report: Report = (field, rule, control, level = 'baseline') => {
    issues.push({ field, rule: `${rule} (Pod Security ${level}: ${control})` });
  };
  const spec = own(template, 'spec');
  const podContext = ownMapping(spec, 'securityContext', () => report('securityContext', 'must be a mapping', 'security context'));
  // The shape of the container lists is the caller's to refuse (worker-policy-template.ts); here they are only read.
  const containers = podContainers(spec, () => undefined);

  baselinePod(template, spec, podContext, report);
  for (const { field, container } of containers) baselineContainer(container, field, options, report);
  if (options.level === 'restricted') {
    restrictedVolumes(spec, report);
    restrictedContainers(podContext, containers, report);
  }
  return issues;
}

function baselinePod(template: unknown, spec: unknown, ctx: Mapping | undefined, report: Report): void {
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (!allowedFalse(own(spec, key))) report(key, 'must be false or unset', 'host namespaces');
  }
  securityContextBaseline(ctx, 'securityContext', report);
  ownList(ctx, 'sysctls', () => report('securityContext.sysctls', 'must be a list', 'sysctls')).forEach((s, i) => {
    const name = own(s, 'name');
    if (typeof name !== 'string' || !(SAFE_SYSCTLS as readonly string[]).includes(name)) {
      report(`securityContext.sysctls[${i}].name`, `must be one of the safe sysctls: ${SAFE_SYSCTLS.join(', ')}`, 'sysctls');
    }
  });
  ownList(spec, 'volumes').forEach((v, i) => {
    if (own(v, 'hostPath') !== undefined) report(`volumes[${i}].hostPath`, 'must not be used: it exposes the node\'s files', 'hostPath volumes');
  });
  const annotations = own(own(template, 'metadata'), 'annotations');
  if (isMapping(annotations)) {
    for (const [key, value] of Object.entries(annotations)) {
      if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
      if (value === '' || value === 'runtime/default' || (typeof value === 'string' && value.startsWith('localhost/'))) continue;
      report(`metadata.annotations.${key}`, 'must be runtime/default, localhost/<profile> or empty', 'AppArmor');
    }
  }
}

function baselineContainer(c: Mapping, path: string, options: PodSecurityOptions, report: Report): void {
  const ctxPath = at(path, 'securityContext');
  const ctx = ownMapping(c, 'securityContext', () => report(ctxPath, 'must be a mapping', 'security context'));
  securityContextBaseline(ctx, ctxPath, report);
  if (!allowedFalse(own(ctx, 'privileged'))) report(at(ctxPath, 'privileged'), 'must be false or unset', 'privileged containers');
  const procMount = own(ctx, 'procMount');
  if (procMount !== undefined && procMount !== 'Default') report(at(ctxPath, 'procMount'), 'must be Default or unset', '/proc mount type');
  capabilityList(ctx, 'add', ctxPath, report).forEach((cap, i) => {
    if (!(BASELINE_CAPABILITIES as readonly unknown[]).includes(cap)) {
      report(`${ctxPath}.capabilities.add[${i}]`, `must be one of ${BASELINE_CAPABILITIES.join(', ')}`, 'capabilities');
    }
  });
  ownList(c, 'ports').forEach((p, i) => {
    const hostPort = own(p, 'hostPort');
    if (hostPort === undefined || hostPort === 0 || options.allowHostPorts) return;
    report(`${path}.ports[${i}].hostPort`, 'must not be set: host ports are for per-node agents (perNode: true) only', 'host ports');
  });
  const handlers: Array<[string, unknown]> = [
    ...PROBES.map((p): [string, unknown] => [at(path, p), own(c, p)]),
    ...HOOKS.map((h): [string, unknown] => [`${path}.lifecycle.${h}`, own(own(c, 'lifecycle'), h)]),
  ];
  for (const [field, handler] of handlers) {
    for (const action of ['httpGet', 'tcpSocket']) {
      const host = own(own(handler, action), 'host');
      if (host !== undefined && host !== '') report(`${field}.${action}.host`, 'must not be set: probes and hooks reach the pod itself', 'host probes and lifecycle hooks');
    }
  }
}

/** The controls a pod-level and a container-level security context share. */
function securityContextBaseline(ctx: Mapping | undefined, path: string, report: Report): void {
  if (!allowedFalse(own(own(ctx, 'windowsOptions'), 'hostProcess'))) {
    report(`${path}.windowsOptions.hostProcess`, 'must be false or unset', 'HostProcess');
  }
  const seLinux = own(ctx, 'seLinuxOptions');
  if (seLinux !== undefined) {
    const type = own(seLinux, 'type');
    if (type !== undefined && type !== '' && !(SELINUX_TYPES as readonly unknown[]).includes(type)) {
      report(`${path}.seLinuxOptions.type`, `must be one of ${SELINUX_TYPES.join(', ')} or unset`, 'SELinux');
    }
    for (const key of ['user', 'role']) {
      const v = own(seLinux, key);
      if (v !== undefined && v !== '') report(`${path}.seLinuxOptions.${key}`, 'must not be set', 'SELinux');
    }
    if (!isMapping(seLinux)) report(`${path}.seLinuxOptions`, 'must be a mapping', 'SELinux');
  }
  // A profile that is set names its type; a missing one reads as "" there, which is no allowed value.
  for (const [key, control] of [['seccompProfile', 'seccomp'], ['appArmorProfile', 'AppArmor']] as const) {
    const profile = own(ctx, key);
    if (profile !== undefined && !PROFILE_TYPES.includes(own(profile, 'type') as string)) {
      report(`${path}.${key}.type`, 'must be RuntimeDefault or Localhost (never Unconfined)', control);
    }
  }
}

function restrictedVolumes(spec: unknown, report: Report): void {
  ownList(spec, 'volumes').forEach((v, i) => {
    if (!isMapping(v)) return report(`volumes[${i}]`, 'must be a mapping', 'volume types', 'restricted');
    for (const key of Object.keys(v)) {
      if (key === 'name' || own(v, key) === undefined || (RESTRICTED_VOLUME_TYPES as readonly string[]).includes(key)) continue;
      report(`volumes[${i}].${key}`, `must not be used: volumes must be one of ${RESTRICTED_VOLUME_TYPES.join(', ')}`, 'volume types', 'restricted');
    }
  });
}

function restrictedContainers(pod: Mapping | undefined, containers: Array<{ field: string; container: Mapping }>, report: Report): void {
  const r: Report = (field, rule, control) => report(field, rule, control, 'restricted');
  const podNonRoot = own(pod, 'runAsNonRoot');
  if (podNonRoot !== undefined && podNonRoot !== true) r('securityContext.runAsNonRoot', 'must be true or unset', 'running as non-root');
  const podUser = own(pod, 'runAsUser');
  if (podUser !== undefined && !nonZeroInteger(podUser)) r('securityContext.runAsUser', 'must not be 0 (root)', 'running as non-root user');
  const podSeccomp = own(own(pod, 'seccompProfile'), 'type');
  // A pod-level value other than these is refused by the baseline pass already.
  const podSeccompSet = PROFILE_TYPES.includes(podSeccomp as string);
  for (const { field, container } of containers) {
    const path = at(field, 'securityContext');
    const ctx = ownMapping(container, 'securityContext');
    if (own(ctx, 'allowPrivilegeEscalation') !== false) r(at(path, 'allowPrivilegeEscalation'), 'must be false', 'privilege escalation');
    const nonRoot = own(ctx, 'runAsNonRoot');
    if (nonRoot === undefined ? podNonRoot !== true : nonRoot !== true) {
      r(at(path, 'runAsNonRoot'), 'must be true (here or in the pod\'s securityContext)', 'running as non-root');
    }
    const user = own(ctx, 'runAsUser');
    if (user !== undefined && !nonZeroInteger(user)) r(at(path, 'runAsUser'), 'must not be 0 (root)', 'running as non-root user');
    const seccomp = own(own(ctx, 'seccompProfile'), 'type');
    if (seccomp === undefined ? !podSeccompSet : !PROFILE_TYPES.includes(seccomp as string)) {
      r(`${path}.seccompProfile.type`, 'must be RuntimeDefault or Localhost (here or in the pod\'s securityContext)', 'seccomp');
    }
    if (!capabilityList(ctx, 'drop', path).includes('ALL')) r(`${path}.capabilities.drop`, 'must include ALL', 'capabilities');
    capabilityList(ctx, 'add', path).forEach((cap, i) => {
      if (cap !== 'NET_BIND_SERVICE') r(`${path}.capabilities.add[${i}]`, 'must be NET_BIND_SERVICE or nothing', 'capabilities');
    });
  }
}

/** `capabilities.add` or `.drop` of a security context; a malformed one is reported (once, by the baseline pass). */
function capabilityList(ctx: Mapping | undefined, key: 'add' | 'drop', path: string, report?: Report): unknown[] {
  const caps = ownMapping(ctx, 'capabilities', () => report?.(`${path}.capabilities`, 'must be a mapping', 'capabilities'));
  return ownList(caps, key, () => report?.(`${path}.capabilities.${key}`, 'must be a list', 'capabilities'));
}

function allowedFalse(v: unknown): boolean {
  return v === undefined || v === false;
}

function nonZeroInteger(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v !== 0;
}
