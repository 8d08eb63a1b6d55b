// Container validation: names, repository-only images, ports, env and mounts.
// The rules mirror what the API server would refuse, plus deployflow's own
// reservations (the `environment` secret volume, its mount and ENVIRONMENT).
import type { ContainerSpec, PortSpec, VolumeMountSpec } from './spec.js';
import { checkImageRef } from './image.js';
import { isDnsLabel } from './labels.js';
import { ENVIRONMENT_SECRET } from './names.js';
import { validateContainerSecurity } from './spec-security.js';
import { DNS_LABEL_RULE } from './spec-volumes.js';
import { validateEnv } from './spec-env.js';
import {
  checkInt, checkKnownKeys, checkString, cloneData, isMapping, listItems, optionalBoolean, optionalEnum, type Issues, type Mapping,
} from './spec-checks.js';

const CONTAINER_KEYS = ['name', 'image', 'ports', 'env', 'readinessProbe', 'resources', 'securityContext', 'volumeMounts'] as const;
const PORT_KEYS = ['name', 'containerPort', 'hostPort', 'protocol'] as const;
const MOUNT_KEYS = ['name', 'mountPath', 'readOnly'] as const;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const PORT_RANGE = { min: 1, max: 65535, rangeRule: 'must be 1-65535' };
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$|^[a-z]$/;

/** Who already claimed a port or name, for "also ..." hints across the whole pod. */
type Claims = Map<string, string>;

export function validateContainers(
  raw: unknown,
  volumeNames: ReadonlySet<string>,
  issues: Issues,
): ContainerSpec[] {
  if (raw === undefined || raw === null) {
    issues.add('containers', 'is required');
    return [];
  }
  const items = listItems(raw, 'containers', issues);
  if (Array.isArray(raw) && items.length === 0) issues.add('containers', 'must have at least one container');
  const names: Claims = new Map();
  const hostPorts: Claims = new Map();
  const containers: ContainerSpec[] = [];
  items.forEach((item, i) => {
    const c = validateContainer(item, `containers[${i}]`, { volumeNames, names, hostPorts }, issues);
    if (c) containers.push(c);
  });
  return containers;
}

interface PodContext {
  volumeNames: ReadonlySet<string>;
  names: Claims;
  hostPorts: Claims;
}

function validateContainer(item: unknown, path: string, pod: PodContext, issues: Issues): ContainerSpec | undefined {
  if (!isMapping(item)) return issues.add(path, 'must be a mapping');
  checkKnownKeys(item, CONTAINER_KEYS, path, issues);
  const name = containerName(item.name, `${path}.name`, pod.names, issues);
  const image = repositoryOnly(item.image, `${path}.image`, issues);
  const ports = validatePorts(item.ports, `${path}.ports`, pod.hostPorts, issues);
  const env = validateEnv(item.env, `${path}.env`, issues);
  const readinessProbe = optionalMapping(item.readinessProbe, `${path}.readinessProbe`, issues);
  const resources = optionalMapping(item.resources, `${path}.resources`, issues);
  const securityContext = validateContainerSecurity(item.securityContext, `${path}.securityContext`, issues);
  const volumeMounts = validateMounts(item.volumeMounts, `${path}.volumeMounts`, pod.volumeNames, issues);
  if (name === undefined || image === undefined) return undefined;
  return {
    name,
    image,
    ports,
    env,
    ...(readinessProbe && { readinessProbe }),
    ...(resources && { resources }),
    ...(securityContext && { securityContext }),
    volumeMounts,
  };
}

function containerName(v: unknown, field: string, names: Claims, issues: Issues): string | undefined {
  const name = checkString(v, field, issues);
  if (name === undefined) return undefined;
  if (!isDnsLabel(name)) return issues.add(field, DNS_LABEL_RULE);
  const earlier = names.get(name);
  if (earlier) return issues.add(field, `must be unique (also ${earlier})`);
  names.set(name, field);
  return name;
}

function repositoryOnly(v: unknown, field: string, issues: Issues): string | undefined {
  const image = checkString(v, field, issues);
  if (image === undefined) return undefined;
  const ref = checkImageRef(image);
  if (typeof ref === 'string') return issues.add(field, ref);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    return issues.add(field, 'must be an image repository without tag or digest (the tag comes from the deploy request)');
  }
  return ref.repository;
}

function validatePorts(raw: unknown, path: string, hostPorts: Claims, issues: Issues): PortSpec[] {
  const ports: PortSpec[] = [];
  const containerPorts: Claims = new Map();
  const portNames: Claims = new Map();
  listItems(raw, path, issues).forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (!isMapping(item)) return issues.add(at, 'must be a mapping');
    checkKnownKeys(item, PORT_KEYS, at, issues);
    const containerPort = item.containerPort === undefined
      ? issues.add(`${at}.containerPort`, 'is required')
      : checkInt(item.containerPort, `${at}.containerPort`, PORT_RANGE, issues);
    const hostPort = item.hostPort === undefined ? undefined : checkInt(item.hostPort, `${at}.hostPort`, PORT_RANGE, issues);
    const protocol = item.protocol === undefined ? undefined : optionalEnum(item.protocol, `${at}.protocol`, PROTOCOLS, 'TCP', issues);
    const name = item.name === undefined ? undefined : portName(item.name, `${at}.name`, portNames, issues);
    // Kubernetes keys ports by number and protocol: 53/TCP and 53/UDP may coexist.
    const proto = protocol ?? 'TCP';
    if (containerPort !== undefined) claim(containerPorts, `${containerPort}/${proto}`, `${at}.containerPort`, 'within the container', issues);
    if (hostPort !== undefined) claim(hostPorts, `${hostPort}/${proto}`, `${at}.hostPort`, 'within the pod', issues);
    if (containerPort === undefined) return;
    ports.push({
      ...(name !== undefined && { name }),
      containerPort,
      ...(hostPort !== undefined && { hostPort }),
      ...(protocol !== undefined && { protocol }),
    });
  });
  return ports;
}

function portName(v: unknown, field: string, names: Claims, issues: Issues): string | undefined {
  if (typeof v !== 'string') return issues.add(field, 'must be a string');
  if (v.length > 15 || !IANA_SVC_NAME.test(v)) {
    return issues.add(field, "must be an IANA service name: at most 15 characters, lowercase letters, digits and '-', at least one letter");
  }
  return claim(names, v, field, 'within the container', issues) ? v : undefined;
}

function claim(claims: Claims, key: string, field: string, scope: string, issues: Issues): boolean {
  const earlier = claims.get(key);
  if (earlier) {
    issues.add(field, `must be unique ${scope} (also ${earlier})`);
    return false;
  }
  claims.set(key, field);
  return true;
}

function optionalMapping(v: unknown, field: string, issues: Issues): Mapping | undefined {
  if (v === undefined) return undefined;
  return isMapping(v) ? cloneData(v) : issues.add(field, 'must be a mapping');
}

function validateMounts(raw: unknown, path: string, volumeNames: ReadonlySet<string>, issues: Issues): VolumeMountSpec[] {
  const mounts: VolumeMountSpec[] = [];
  const paths: Claims = new Map();
  listItems(raw, path, issues).forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (!isMapping(item)) return issues.add(at, 'must be a mapping');
    checkKnownKeys(item, MOUNT_KEYS, at, issues);
    const name = mountVolume(item.name, `${at}.name`, volumeNames, issues);
    const mountPath = mountPathOf(item.mountPath, `${at}.mountPath`, paths, issues);
    const readOnly = item.readOnly === undefined ? undefined : optionalBoolean(item.readOnly, `${at}.readOnly`, false, issues);
    if (name === undefined || mountPath === undefined) return;
    mounts.push({ name, mountPath, ...(readOnly !== undefined && { readOnly }) });
  });
  return mounts;
}

function mountVolume(v: unknown, field: string, volumeNames: ReadonlySet<string>, issues: Issues): string | undefined {
  const name = checkString(v, field, issues);
  if (name === undefined) return undefined;
  if (name === ENVIRONMENT_SECRET.name) return issues.add(field, 'is reserved: deployflow mounts the environment secret itself');
  if (!volumeNames.has(name)) {
    const declared = volumeNames.size > 0 ? `declared: ${[...volumeNames].join(', ')}` : 'none declared';
    return issues.add(field, `must name a volume declared in volumes (${declared})`);
  }
  return name;
}

function mountPathOf(v: unknown, field: string, paths: Claims, issues: Issues): string | undefined {
  const mountPath = checkString(v, field, issues);
  if (mountPath === undefined) return undefined;
  if (!mountPath.startsWith('/')) return issues.add(field, 'must be an absolute path');
  const normalized = mountPath.replace(/\/+$/, '');
  // A mount inside the read-only secret volume cannot even create its mount point.
  const secretDir = ENVIRONMENT_SECRET.mountPath;
  if (normalized === secretDir || normalized.startsWith(`${secretDir}/`)) {
    return issues.add(field, `is reserved: deployflow mounts the environment secret at ${secretDir}`);
  }
  return claim(paths, normalized, field, 'within the container', issues) ? mountPath : undefined;
}
