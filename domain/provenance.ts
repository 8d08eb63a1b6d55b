// Is an RC in the cluster deployflow's, and is it the one a deploy rendered? RC
// names are predictable (`deployctl render` prints them), so anyone who can create
// RCs can pre-create a look-alike with deployflow's labels; the worker adopts or
// touches an RC only when its labels, annotations and name agree with each other
// and, to adopt it, its stored template is the rendered one.
import { DEPLOYMENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL } from './labels.js';
import { ANNOTATIONS } from './names.js';
import { isMapping } from './spec-checks.js';

export interface RcMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  selector?: Record<string, string>;
}

/** Why an RC is not an RC of `app` written by this environment's deployflow, or undefined when it is. */
export function ownershipProblem(rc: RcMeta, owner: { environment: string; app: string }): string | undefined {
  const labels = rc.labels ?? {};
  const annotations = rc.annotations ?? {};
  const hash = annotations[ANNOTATIONS.templateHash];
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY) return `it does not carry ${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  if (labels.name !== owner.app) return `its name label is ${JSON.stringify(labels.name ?? '')}, not ${owner.app}`;
  if (annotations[ANNOTATIONS.environment] !== owner.environment) return `it was not written for environment ${owner.environment}`;
  if (!hash || rc.name !== `${owner.app}-${hash}`) return 'its name does not match its template-hash annotation';
  if (rc.selector?.name !== owner.app || rc.selector?.[DEPLOYMENT_LABEL] !== hash || labels[DEPLOYMENT_LABEL] !== hash) {
    return `its selector is not { name: ${owner.app}, ${DEPLOYMENT_LABEL}: ${hash} }`;
  }
  return undefined;
}

/**
 * Values the apiserver fills into a pod template that deployflow leaves out. An
 * extra key in the stored template is accepted only if it holds its default here;
 * any other difference means the RC runs something deployflow did not render.
 */
const DEFAULTS: Record<string, unknown[]> = {
  restartPolicy: ['Always'],
  terminationGracePeriodSeconds: [30],
  dnsPolicy: ['ClusterFirst'],
  schedulerName: ['default-scheduler'],
  securityContext: [{}],
  terminationMessagePath: ['/dev/termination-log'],
  terminationMessagePolicy: ['File'],
  imagePullPolicy: ['IfNotPresent', 'Always'],
  resources: [{}],
  protocol: ['TCP'],
  scheme: ['HTTP'],
  timeoutSeconds: [1],
  periodSeconds: [10],
  successThreshold: [1],
  failureThreshold: [3],
  defaultMode: [420],
  creationTimestamp: [null],
  apiVersion: ['v1'],
};

/** The first place where `stored` differs from `rendered` beyond apiserver defaults (a path), or undefined. */
export function templateDifference(rendered: unknown, stored: unknown, path = 'template'): string | undefined {
  if (Array.isArray(rendered)) {
    if (!Array.isArray(stored) || stored.length !== rendered.length) return path;
    for (const [i, item] of rendered.entries()) {
      const d = templateDifference(item, stored[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isMapping(rendered)) {
    if (!isMapping(stored)) return path;
    for (const [key, value] of Object.entries(rendered)) {
      const d = templateDifference(value, stored[key], `${path}.${key}`);
      if (d) return d;
    }
    for (const [key, value] of Object.entries(stored)) {
      if (key in rendered || value === undefined) continue;
      if (!(DEFAULTS[key] ?? []).some((v) => sameData(v, value))) return `${path}.${key}`;
    }
    return undefined;
  }
  return rendered === stored ? undefined : path;
}

function sameData(a: unknown, b: unknown): boolean {
  return templateDifference(a, b) === undefined && templateDifference(b, a) === undefined;
}

/** What a kept RC says it was deployed with: the spec and image a redeploy of it goes through checkDeploy with. */
export function keptRequest(rc: { appSpec?: string; image?: string }): { spec: unknown; image: string } | string {
  const image = rc.image?.split(',')[0];
  if (!rc.appSpec || !image) return `it carries no ${ANNOTATIONS.appSpec} or ${ANNOTATIONS.image} annotation`;
  try {
    return { spec: JSON.parse(rc.appSpec) as unknown, image };
  } catch {
    return `its ${ANNOTATIONS.appSpec} annotation is not JSON`;
  }
}
