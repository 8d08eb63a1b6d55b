// The worker's own policy (DESIGN §7): what this environment's worker agrees to
// write, whatever reaches its task queue. The worker is started with a policy file;
// without one it uses DEFAULT_WORKER_POLICY. Every refusal names the field, the rule
// and the policy entry (`policy` of the SpecIssue).
//
// INTERFACE (lead): the names and signatures below are what checkDeploy, the
// admission activity and the mutating activities call. Their bodies are the policy
// helper's to write.
import type { SpecIssue } from './errors.js';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface WorkerPolicy {
  /** Namespaces this worker may deploy into: glob patterns (`*`); deny wins over allow. */
  namespaces: { allow: string[]; deny: string[] };
  /** Image repositories (glob patterns) and whether a digest is required. */
  images: { repositories: string[]; requireDigest: boolean };
  /** Volume source types an app may use. */
  volumes: { types: string[] };
  /** Secrets and configMaps an app may mount or reference; `{app}` stands for the app's name. */
  references: { secrets: string[]; configMaps: string[] };
  /** Service accounts pods may run as (glob patterns; `default` when the spec names none). */
  serviceAccounts: string[];
  /** Per-container ceilings (Kubernetes quantities); absent: no ceiling. */
  resources: { maxCpu?: string; maxMemory?: string };
  maxReplicas: number;
  /** The Pod Security Standard level pods must meet. */
  podSecurity: PodSecurityLevel;
  /** An inline env value whose name looks like a credential: refused, or only warned about. */
  inlineCredentials: 'refuse' | 'warn';
}

export type PolicyIssue = SpecIssue & { policy: string };

export const DEFAULT_WORKER_POLICY: WorkerPolicy = {
  namespaces: { allow: ['*'], deny: ['kube-*'] },
  images: { repositories: ['*'], requireDigest: false },
  volumes: { types: ['configMap', 'secret', 'emptyDir', 'projected', 'downwardAPI', 'persistentVolumeClaim'] },
  references: { secrets: ['environment', '{app}', '{app}-*'], configMaps: ['{app}', '{app}-*'] },
  serviceAccounts: ['default', '{app}'],
  resources: {},
  maxReplicas: 10000,
  podSecurity: 'baseline',
  inlineCredentials: 'refuse',
};

/** Checks a parsed policy document (YAML) and returns it complete; throws InvalidSpecError naming each problem. */
export function parseWorkerPolicy(raw: unknown): WorkerPolicy {
  void raw;
  return DEFAULT_WORKER_POLICY;
}

/** Refuses a namespace outside `namespaces`. */
export function checkNamespace(namespace: string, policy: WorkerPolicy): PolicyIssue | undefined {
  void namespace;
  void policy;
  return undefined;
}

export interface PolicySubject {
  namespace: string;
  /** The app's name (`{app}` in patterns). */
  app: string;
  perNode: boolean;
  replicas: number;
  /**
   * The pod template exactly as it would be written (or as a caller sent it: it is
   * untrusted, so any shape). Issues name fields as the app spec does
   * (`containers[0].image`, `volumes[1].hostPath`, `hostNetwork`), the spec's
   * containers and volumes keeping their indices in the template.
   */
  template: unknown;
}

/** Every way the subject breaks the policy (namespace, images, volumes, references, pod security, ceilings). */
export function checkWorkerPolicy(subject: PolicySubject, policy: WorkerPolicy): PolicyIssue[] {
  void subject;
  void policy;
  return [];
}
