// Spec + image -> ReplicationController. The pod template is hashed and the hash names
// the RC and selects its pods, so:
//  - the same spec and image always render the same RC (a repeated deploy is a no-op, I4);
//  - anything that changes pods changes the hash, and so gets a new RC and a rollout;
//  - replicas and the environment are kept out of the template: a resize keeps the RC,
//    and one release has the same name in every cluster.
import type { AppSpec, ContainerSpec, EnvValue } from './spec.js';
import type { ContainerManifest, EnvVarManifest, PodTemplate, ReplicationControllerManifest } from './manifest.js';
import { invalidSpec } from './errors.js';
import { cloneData } from './spec-checks.js';
import { canonicalJson, templateHash } from './hash.js';
import { resolveDeployImages } from './image.js';
import { DEPLOYMENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL, podLabels } from './labels.js';
import { ANNOTATIONS, ENVIRONMENT_SECRET, validateEnvironmentName } from './names.js';
import { specForAnnotation } from './kept-spec.js';

// The manifest types are part of render's contract; they live apart only to keep this file short.
export type * from './manifest.js';

export interface RenderInput {
  spec: AppSpec;
  environment: string;
  /** Full reference (`repo:tag`, `repo@sha256:…`) or tag/digest only (`:1.4.2`). */
  image: string;
  revision: number;
  requestedBy: string;
  /** Commit or pipeline URL, recorded for people reading the cluster. */
  source?: string;
  workflowId: string;
  /** The deploy creating the RC (ANNOTATIONS.deployId); absent for an RC rendered outside a deploy. */
  deployId?: string;
  replicas: number;
}

export interface RenderedTemplate {
  template: PodTemplate;
  hash: string;
  images: string[];
}

export function renderReplicationController(input: RenderInput): ReplicationControllerManifest {
  const { spec } = input;
  validateEnvironmentName(input.environment);
  if (!Number.isInteger(input.replicas) || input.replicas < 0) throw invalidSpec('replicas', 'must be an integer >= 0');
  if (!Number.isInteger(input.revision) || input.revision < 1) throw invalidSpec('revision', 'must be an integer >= 1');
  const { template, hash, images } = renderPodTemplate(spec, input.image);
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: {
      name: `${spec.name}-${hash}`,
      namespace: spec.namespace,
      labels: { ...podLabels(spec), [MANAGED_BY_LABEL]: MANAGED_BY, [DEPLOYMENT_LABEL]: hash },
      annotations: {
        [ANNOTATIONS.revision]: String(input.revision),
        [ANNOTATIONS.image]: [...new Set(images)].join(','),
        [ANNOTATIONS.requestedBy]: input.requestedBy,
        ...(input.source !== undefined && { [ANNOTATIONS.source]: input.source }),
        [ANNOTATIONS.workflowId]: input.workflowId,
        [ANNOTATIONS.templateHash]: hash,
        [ANNOTATIONS.desiredReplicas]: String(input.replicas),
        [ANNOTATIONS.appSpec]: canonicalJson(specForAnnotation(spec)),
        [ANNOTATIONS.environment]: input.environment,
        ...(input.deployId !== undefined && { [ANNOTATIONS.deployId]: input.deployId }),
      },
    },
    spec: {
      replicas: input.replicas,
      minReadySeconds: spec.strategy.minReadySeconds,
      selector: { name: spec.name, [DEPLOYMENT_LABEL]: hash },
      template,
    },
  };
}

/** The pod template with its `deployment` label; the hash covers everything except that label. */
export function renderPodTemplate(spec: AppSpec, image: string): RenderedTemplate {
  const images = resolveDeployImages(spec, image);
  const unlabelled: PodTemplate = {
    metadata: { labels: podLabels(spec) },
    spec: {
      containers: spec.containers.map((c, i) => renderContainer(c, images[i] ?? c.image)),
      volumes: [...spec.volumes.map((v) => cloneData(v)), { name: ENVIRONMENT_SECRET.name, secret: { secretName: ENVIRONMENT_SECRET.name } }],
      // Only when the spec sets them: the template (and so the hash) of every other spec stays as it was.
      ...(spec.securityContext && { securityContext: cloneData(spec.securityContext) }),
      ...(spec.serviceAccountName !== undefined && { serviceAccountName: spec.serviceAccountName }),
    },
  };
  const hash = templateHash(unlabelled);
  const template = { ...unlabelled, metadata: { labels: { ...unlabelled.metadata.labels, [DEPLOYMENT_LABEL]: hash } } };
  return { template, hash, images };
}

export function templateHashOf(spec: AppSpec, image: string): string {
  return renderPodTemplate(spec, image).hash;
}

// An inline value renders exactly as before references existed: template hashes of existing specs must not move.
function envVar(name: string, value: EnvValue): EnvVarManifest {
  if (typeof value === 'string') return { name, value };
  return 'secretKeyRef' in value
    ? { name, valueFrom: { secretKeyRef: { ...value.secretKeyRef } } }
    : { name, valueFrom: { configMapKeyRef: { ...value.configMapKeyRef } } };
}

function renderContainer(c: ContainerSpec, image: string): ContainerManifest {
  // Sorted so that reordering keys in the YAML file does not read as a change.
  const env: EnvVarManifest[] = Object.keys(c.env)
    .sort()
    .map((name) => envVar(name, c.env[name] ?? ''));
  env.push({
    name: ENVIRONMENT_SECRET.envVar,
    valueFrom: { secretKeyRef: { name: ENVIRONMENT_SECRET.name, key: ENVIRONMENT_SECRET.key } },
  });
  return {
    name: c.name,
    image,
    ports: c.ports.map((p) => ({ ...p })),
    env,
    ...(c.readinessProbe && { readinessProbe: cloneData(c.readinessProbe) }),
    ...(c.resources && { resources: cloneData(c.resources) }),
    ...(c.securityContext && { securityContext: cloneData(c.securityContext) }),
    volumeMounts: [
      ...c.volumeMounts.map((m) => ({ ...m })),
      { name: ENVIRONMENT_SECRET.name, mountPath: ENVIRONMENT_SECRET.mountPath, readOnly: true },
    ],
  };
}
