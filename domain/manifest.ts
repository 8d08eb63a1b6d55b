// Minimal structural types for the Kubernetes objects deployflow writes. They cover
// what render.ts produces and nothing more; activities hand them to the API client.
import type { PortSpec, VolumeSpec } from './spec.js';

export interface EnvVarManifest {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } } | { configMapKeyRef: { name: string; key: string } };
}

export interface VolumeMountManifest {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export type ContainerPortManifest = PortSpec;

export interface ContainerManifest {
  name: string;
  image: string;
  ports: ContainerPortManifest[];
  env: EnvVarManifest[];
  readinessProbe?: Record<string, unknown>;
  resources?: Record<string, unknown>;
  securityContext?: Record<string, unknown>;
  volumeMounts: VolumeMountManifest[];
}

export type VolumeManifest = VolumeSpec;

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    containers: ContainerManifest[];
    volumes: VolumeManifest[];
    securityContext?: Record<string, unknown>;
    serviceAccountName?: string;
  };
}

export interface ObjectMetaManifest {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ReplicationControllerManifest {
  apiVersion: 'v1';
  kind: 'ReplicationController';
  metadata: ObjectMetaManifest;
  spec: {
    replicas: number;
    minReadySeconds: number;
    selector: Record<string, string>;
    template: PodTemplate;
  };
}
