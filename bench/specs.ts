// The two sides of a comparison get the same pods: deployflow's app spec, and
// a Deployment whose template is deployflow's rendered pod template (same
// labels, container, env, secret volume), with the same maxSurge,
// maxUnavailable and minReadySeconds.
import fs from 'node:fs';
import path from 'node:path';
import type { V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import { parseSpecText } from '../client/spec-file.js';
import { renderPodTemplate } from '../domain/render.js';
import type { AppSpec } from '../domain/spec.js';
import { repoRoot } from '../stack/layout.js';
import type { Surge } from './config.js';

export const IMAGE_V1 = 'registry.example/awesome-api:1.0.0';
export const IMAGE_V2 = 'registry.example/awesome-api:2.0.0';

export interface Target {
  namespace: string;
  app: string;
  replicas: number;
  surge: Surge;
  minReadySeconds: number;
}

const example = parseSpecText(fs.readFileSync(path.join(repoRoot, 'examples', 'awesome-api.yaml'), 'utf8'));

export function appSpec(t: Target): AppSpec {
  return {
    ...example,
    name: t.app,
    namespace: t.namespace,
    replicas: t.replicas,
    strategy: {
      ...example.strategy,
      maxSurge: t.surge,
      maxUnavailable: 0,
      minReadySeconds: t.minReadySeconds,
      progressDeadlineSeconds: 600,
      onFailure: 'rollback',
    },
  };
}

/** The label that tells the new template's pods from the old ones, for both systems. */
export function versionOf(t: Target, image: string): string {
  return renderPodTemplate(appSpec(t), image).hash;
}

export function deploymentManifest(t: Target, image: string): V1Deployment {
  const spec = appSpec(t);
  const { template } = renderPodTemplate(spec, image);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: t.app, namespace: t.namespace, labels: { name: t.app } },
    spec: {
      replicas: t.replicas,
      minReadySeconds: t.minReadySeconds,
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: spec.revisionHistoryLimit,
      selector: { matchLabels: { name: t.app } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: t.surge, maxUnavailable: 0 } },
      template: template as V1PodTemplateSpec,
    },
  };
}
