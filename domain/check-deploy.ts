// One checked deploy value (DESIGN §7): the single pure function that turns an
// untrusted request — raw spec, image, environment, policies — into everything a
// deploy needs, or every problem at once. The CLI calls it to fail early (exit 2),
// the worker's admission activity calls it with the worker's own policy, render
// calls it. Nothing downstream re-derives names, hashes or selectors from strings.
import { InvalidSpecError, type SpecIssue } from './errors.js';
import { resolveDeployImages } from './image.js';
import { checkLabelPolicy, validateLabelPolicy } from './label-policy.js';
import { DEPLOYMENT_LABEL } from './labels.js';
import type { PodTemplate } from './manifest.js';
import { taskQueueFor, validateEnvironmentName, workflowIdFor } from './names.js';
import { renderPodTemplate, renderReplicationController } from './render.js';
import { resolveLimits, type RolloutLimits } from './rollout.js';
import { validateAppSpec, type AppSpec } from './spec.js';
import { checkWorkerPolicy, type WorkerPolicy } from './worker-policy.js';

/** Free text recorded in history, annotations and the UI: bounded so nobody can fill them. */
export const TEXT_LIMITS = { requestedBy: 256, source: 2048, reason: 1024 } as const;
/** Kubernetes refuses an object whose annotations total more than 256 KiB. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
/** Temporal's default limit on a workflow's static summary (limit.userMetadataSummarySize). */
export const MAX_SUMMARY_BYTES = 400;

export interface DeployRequestFields {
  /** The parsed app spec, untrusted: any shape. */
  spec: unknown;
  /** Full reference, or `:tag` / `@sha256:…` for the spec's repositories. */
  image: unknown;
  environment: unknown;
  /** `--replicas`: overrides the spec's. */
  replicas?: number;
  /** The organisation's label policy the request claims; untrusted too. */
  labelPolicy?: unknown;
  /** The worker's own policy: absent on the client when it does not know it. */
  workerPolicy?: WorkerPolicy;
  /** Per-node agents: the node count the worker read, which is their size. */
  nodeCount?: number;
  requestedBy?: unknown;
  source?: unknown;
}

export interface CheckedDeploy {
  spec: AppSpec;
  environment: string;
  /** The deployed image of the first container (what people are shown). */
  image: string;
  /** One full reference per container. */
  images: string[];
  limits: RolloutLimits;
  /** The pod template exactly as it is written, with its `deployment` label. */
  template: PodTemplate;
  hash: string;
  rcName: string;
  /** The new RC's pod selector. */
  selector: { name: string; [DEPLOYMENT_LABEL]: string };
  /** The workflow id that is this app's lock, and the task queue of its environment's worker. */
  workflowId: string;
  taskQueue: string;
  requestedBy: string;
  source?: string;
}

/** Everything a deploy needs from one request, or InvalidSpecError listing every problem. */
export function checkDeploy(request: DeployRequestFields): CheckedDeploy {
  const issues: SpecIssue[] = [];
  const collect = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof InvalidSpecError)) throw err;
      issues.push(...err.issues);
      return undefined;
    }
  };
  const environment = collect(() => validateEnvironmentName(request.environment));
  const requestedBy = checkText(request.requestedBy, 'requestedBy', TEXT_LIMITS.requestedBy, issues) ?? 'unknown';
  const source = request.source === undefined ? undefined : checkText(request.source, 'source', TEXT_LIMITS.source, issues);
  let spec = collect(() => validateAppSpec(request.spec));
  if (spec && request.replicas !== undefined) spec = collect(() => validateAppSpec({ ...spec, replicas: request.replicas }));
  if (spec?.perNode && request.nodeCount !== undefined) spec = { ...spec, replicas: request.nodeCount };
  if (typeof request.image !== 'string' || request.image === '') issues.push({ field: 'image', rule: 'is required' });
  if (!spec || !environment || typeof request.image !== 'string' || request.image === '') throw new InvalidSpecError(issues);

  const checkedSpec = spec;
  const image = request.image;
  if (request.labelPolicy !== undefined) {
    collect(() => issues.push(...checkLabelPolicy(checkedSpec, validateLabelPolicy(request.labelPolicy))));
  }
  const images = collect(() => resolveDeployImages(checkedSpec, image));
  const limits = collect(() => resolveLimits(checkedSpec.strategy, checkedSpec.replicas));
  if (!images || !limits) throw new InvalidSpecError(issues);

  const { template, hash } = renderPodTemplate(checkedSpec, images[0] ?? image);
  if (request.workerPolicy) {
    const subject = { namespace: checkedSpec.namespace, app: checkedSpec.name, perNode: checkedSpec.perNode, replicas: checkedSpec.replicas, template };
    issues.push(...checkWorkerPolicy(subject, request.workerPolicy));
  }
  const workflowId = workflowIdFor(environment, checkedSpec.namespace, checkedSpec.name);
  const checked: CheckedDeploy = {
    spec: checkedSpec,
    environment,
    image: images[0] ?? image,
    images,
    limits,
    template,
    hash,
    rcName: `${checkedSpec.name}-${hash}`,
    selector: { name: checkedSpec.name, [DEPLOYMENT_LABEL]: hash },
    workflowId,
    taskQueue: taskQueueFor(environment),
    requestedBy,
    ...(source !== undefined && { source }),
  };
  issues.push(...sizeIssues(checked));
  if (issues.length > 0) throw new InvalidSpecError(issues);
  return checked;
}

/** What the Temporal UI shows as the deploy's one-line summary. */
export function deploySummary(d: { app: string; environment: string; image: string }): string {
  return `${d.app} → ${d.environment}: ${d.image}`;
}

function checkText(v: unknown, field: string, max: number, issues: SpecIssue[]): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    issues.push({ field, rule: 'must be a string' });
    return undefined;
  }
  if (v.length > max) {
    issues.push({ field, rule: `must be at most ${max} characters` });
    return undefined;
  }
  return v;
}

/** Limits the API servers would enforce later, after something was already written. */
function sizeIssues(d: CheckedDeploy): SpecIssue[] {
  const issues: SpecIssue[] = [];
  // The largest annotations a deploy of this spec can carry: revisions up to 10 digits.
  const manifest = renderReplicationController({
    spec: d.spec,
    environment: d.environment,
    image: d.image,
    revision: 9_999_999_999,
    requestedBy: d.requestedBy,
    source: d.source,
    workflowId: d.workflowId,
    replicas: d.spec.replicas,
  });
  const bytes = Object.entries(manifest.metadata.annotations).reduce((n, [k, v]) => n + utf8Length(k) + utf8Length(v), 0);
  if (bytes > MAX_ANNOTATIONS_BYTES) {
    issues.push({ field: 'spec', rule: `is too large: its RC would carry ${bytes} bytes of annotations, and Kubernetes allows ${MAX_ANNOTATIONS_BYTES}` });
  }
  const summary = utf8Length(deploySummary({ app: d.spec.name, environment: d.environment, image: d.image }));
  if (summary > MAX_SUMMARY_BYTES) {
    issues.push({ field: 'image', rule: `is too long: the deploy's summary would be ${summary} bytes, and Temporal allows ${MAX_SUMMARY_BYTES}` });
  }
  return issues;
}

/** UTF-8 byte length, counted by hand: workflow code has no Buffer. */
function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Why an operator update's request is refused before it reaches history, or undefined. */
export function operatorRequestProblem(request: unknown): string | undefined {
  if (request === undefined || request === null) return undefined;
  if (typeof request !== 'object' || Array.isArray(request)) return 'the request must be a mapping of reason and requestedBy';
  for (const field of ['reason', 'requestedBy'] as const) {
    const v = (request as Record<string, unknown>)[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') return `${field}: must be a string`;
    if (v.length > TEXT_LIMITS[field]) return `${field}: must be at most ${TEXT_LIMITS[field]} characters`;
  }
  return undefined;
}
