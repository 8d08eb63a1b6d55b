// Extra volumes pass through to the pod spec. Their sources are checked only by name
// (one known source per volume), so a typo is caught before any cluster write while
// the source's own fields stay Kubernetes' business.
import type { VolumeSpec } from './spec.js';
import { isDnsLabel } from './labels.js';
import { ENVIRONMENT_SECRET } from './names.js';
import { checkKnownKeys, checkString, cloneData, isMapping, listItems, type Issues } from './spec-checks.js';

export const VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI',
  'emptyDir', 'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs',
  'hostPath', 'image', 'iscsi', 'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume',
  'projected', 'quobyte', 'rbd', 'scaleIO', 'secret', 'storageos', 'vsphereVolume',
] as const;

export function validateVolumes(raw: unknown, issues: Issues): VolumeSpec[] {
  const volumes: VolumeSpec[] = [];
  const seen = new Map<string, string>();
  listItems(raw, 'volumes', issues).forEach((item, i) => {
    const path = `volumes[${i}]`;
    if (!isMapping(item)) return issues.add(path, 'must be a mapping');
    checkKnownKeys(item, ['name', ...VOLUME_SOURCES], path, issues);
    const sources = Object.keys(item).filter((k) => k !== 'name' && item[k] !== undefined);
    if (sources.length > 1) issues.add(path, `must have at most one volume source (found ${sources.join(', ')})`);
    const name = checkString(item.name, `${path}.name`, issues);
    if (name === undefined) return;
    if (name === ENVIRONMENT_SECRET.name) return issues.add(`${path}.name`, 'is reserved: deployflow adds the environment secret volume');
    if (!isDnsLabel(name)) return issues.add(`${path}.name`, DNS_LABEL_RULE);
    const earlier = seen.get(name);
    if (earlier) return issues.add(`${path}.name`, `must be unique (also ${earlier})`);
    seen.set(name, path);
    volumes.push({ ...cloneData(item), name });
  });
  return volumes;
}

export const DNS_LABEL_RULE =
  "must be a DNS-1123 label: at most 63 characters, lowercase letters, digits and '-', alphanumeric at both ends";
