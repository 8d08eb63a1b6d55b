// The worker policy's walk over a pod template. The template is untrusted (a rogue
// caller may send any shape), so it is measured before it is walked, every field is
// read as an own property, and anything of an unexpected kind is refused rather than
// skipped: what this walk does not understand, the worker does not write.
import { checkImageRef } from './image.js';
import { compileGlob, globMatches, matchesAny } from './glob.js';
import { ENVIRONMENT_SECRET } from './names.js';
import { checkPodSecurity } from './pod-security.js';
import { QUANTITY_RULE, compareQuantities, parseQuantity } from './quantity.js';
import { isMapping, type Mapping } from './spec-checks.js';
import { checkDataShape } from './spec-shape.js';
import { at, own, ownList, ownMapping, podContainers } from './untrusted.js';
import type { PolicyIssue, PolicySubject, WorkerPolicy } from './worker-policy.js';

/**
 * Env names that read as credentials (`DB_PASSWORD`, `GITHUB_TOKEN`, `STRIPE_API_KEY`,
 * `AWS_SECRET_ACCESS_KEY`): their values belong in a secret, not in the RC for anyone
 * who can read it. Only the name's last word counts, so `SECRETS_DIR`, `TOKEN_URL` and
 * `DB_PASSWORD_FILE` (a path, not the credential) pass.
 */
const CREDENTIAL_NAME = /(?:^|_)(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|SECRET_?KEY|CREDENTIALS?)$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Volume sources that name a secret of their own (`secretRef`, `nodePublishSecretRef`, `secretName`). */
const SECRET_REF_KEYS = ['secretRef', 'nodePublishSecretRef'];

type Add = (field: string, rule: string, policy: string) => void;

/** Every policy issue of the subject's template; inline credentials are tagged `inlineCredentials` whatever the policy says. */
export function checkTemplate(subject: PolicySubject, policy: WorkerPolicy): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const add: Add = (field, rule, entry) => issues.push({ field, rule, policy: entry });
  const template = isMapping(subject) ? subject.template : undefined;
  const app = isMapping(subject) && typeof subject.app === 'string' ? subject.app : '';
  const perNode = isMapping(subject) && subject.perNode === true;

  const shape = checkDataShape(template);
  if (shape) return [{ ...shape, field: shape.field === 'spec' ? 'template' : shape.field, policy: 'template' }];
  const spec = own(template, 'spec');
  if (!isMapping(template) || !isMapping(spec)) return [{ field: 'template', rule: 'must be a pod template (a mapping with a spec)', policy: 'template' }];

  serviceAccount(spec, app, policy, add);
  const containers = podContainers(spec, (field) => add(field, field.endsWith(']') ? 'must be a mapping' : 'must be a list', 'template'));
  if (ownList(spec, 'containers').length === 0) add('containers', 'must have at least one container', 'template');
  for (const { field, container } of containers) {
    image(container, field, policy, add);
    resources(container, field, policy, add);
    envReferences(container, field, app, policy, add);
  }
  volumes(spec, app, policy, add);
  ownList(spec, 'imagePullSecrets', () => add('imagePullSecrets', 'must be a list', 'references.secrets')).forEach((s, i) => {
    secretRef(own(s, 'name'), `imagePullSecrets[${i}].name`, app, policy, add);
  });
  for (const i of checkPodSecurity(template, { level: policy.podSecurity === 'restricted' ? 'restricted' : 'baseline', allowHostPorts: perNode })) {
    add(i.field, i.rule, 'podSecurity');
  }
  return issues;
}

function serviceAccount(spec: Mapping, app: string, policy: WorkerPolicy, add: Add): void {
  const allowed = policy.serviceAccounts.map((p) => p.split('{app}').join(app));
  const rule = `must be a service account this worker allows (${allowed.join(', ')})`;
  let named = false;
  for (const key of ['serviceAccountName', 'serviceAccount']) {
    const v = own(spec, key);
    if (v === undefined || v === '') continue;
    named = true;
    if (typeof v !== 'string' || !matchesAny(policy.serviceAccounts, v, app)) add(key, rule, 'serviceAccounts');
  }
  // Kubernetes runs a pod that names none as `default`.
  if (!named && !matchesAny(policy.serviceAccounts, 'default', app)) add('serviceAccountName', `${rule}; unset means default`, 'serviceAccounts');
}

function image(c: Mapping, path: string, policy: WorkerPolicy, add: Add): void {
  const field = at(path, 'image');
  const v = own(c, 'image');
  if (typeof v !== 'string') return add(field, 'must be an image reference', 'images.repositories');
  const ref = checkImageRef(v);
  if (typeof ref === 'string') return add(field, ref, 'images.repositories');
  if (!matchesAny(policy.images.repositories, ref.repository)) {
    add(field, `must come from an allowed repository (${policy.images.repositories.join(', ')}); ${ref.repository} is not one`, 'images.repositories');
  }
  if (policy.images.requireDigest && ref.digest === undefined) add(field, 'must be pinned by digest (@sha256:…), not by tag alone', 'images.requireDigest');
}

function resources(c: Mapping, path: string, policy: WorkerPolicy, add: Add): void {
  const r = ownMapping(c, 'resources', () => add(at(path, 'resources'), 'must be a mapping', 'resources.maxCpu'));
  const ceilings: Array<['cpu' | 'memory', string | undefined, string, string]> = [
    ['cpu', policy.resources.maxCpu, 'resources.maxCpu', 'CPU'],
    ['memory', policy.resources.maxMemory, 'resources.maxMemory', 'memory'],
  ];
  for (const [resource, max, entry, what] of ceilings) {
    const limit = max === undefined ? undefined : parseQuantity(max);
    if (!limit) continue;
    for (const kind of ['requests', 'limits']) {
      const field = `${path}.resources.${kind}.${resource}`;
      const v = own(own(r, kind), resource);
      // Without a limit a container has no ceiling at all.
      if (v === undefined) {
        if (kind === 'limits') add(field, `is required: this worker caps ${what} at ${max} per container`, entry);
        continue;
      }
      const q = parseQuantity(v);
      if (!q) add(field, QUANTITY_RULE, entry);
      else if (compareQuantities(q, limit) > 0) add(field, `must be at most ${max} (this worker's ${what} ceiling per container)`, entry);
    }
  }
}

function envReferences(c: Mapping, path: string, app: string, policy: WorkerPolicy, add: Add): void {
  ownList(c, 'env', () => add(at(path, 'env'), 'must be a list', 'references.secrets')).forEach((e, i) => {
    const name = own(e, 'name');
    const field = typeof name === 'string' && ENV_NAME.test(name) ? `${path}.env.${name}` : `${path}.env[${i}]`;
    const from = own(e, 'valueFrom');
    secretRef(own(own(from, 'secretKeyRef'), 'name'), `${field}.valueFrom.secretKeyRef.name`, app, policy, add);
    configMapRef(own(own(from, 'configMapKeyRef'), 'name'), `${field}.valueFrom.configMapKeyRef.name`, app, policy, add);
    const value = own(e, 'value');
    if (typeof name === 'string' && CREDENTIAL_NAME.test(name) && typeof value === 'string' && value !== '') {
      add(field, 'must not hold a credential inline (anyone who can read the RC reads it): reference a secret', 'inlineCredentials');
    }
  });
  ownList(c, 'envFrom', () => add(at(path, 'envFrom'), 'must be a list', 'references.secrets')).forEach((e, i) => {
    secretRef(own(own(e, 'secretRef'), 'name'), `${path}.envFrom[${i}].secretRef.name`, app, policy, add);
    configMapRef(own(own(e, 'configMapRef'), 'name'), `${path}.envFrom[${i}].configMapRef.name`, app, policy, add);
  });
}

function volumes(spec: Mapping, app: string, policy: WorkerPolicy, add: Add): void {
  ownList(spec, 'volumes', () => add('volumes', 'must be a list', 'volumes.types')).forEach((v, i) => {
    const path = `volumes[${i}]`;
    if (!isMapping(v)) return add(path, 'must be a mapping', 'volumes.types');
    const sources = Object.keys(v).filter((k) => k !== 'name' && own(v, k) !== undefined);
    // Kubernetes reads a volume without a source as an emptyDir.
    if (sources.length === 0 && !policy.volumes.types.includes('emptyDir')) add(path, volumeRule(policy), 'volumes.types');
    for (const type of sources) {
      if (!policy.volumes.types.includes(type)) add(at(path, type), volumeRule(policy), 'volumes.types');
      const source = own(v, type);
      if (type === 'secret') secretRef(own(source, 'secretName'), `${path}.secret.secretName`, app, policy, add);
      else if (type === 'configMap') configMapRef(own(source, 'name'), `${path}.configMap.name`, app, policy, add);
      else if (type === 'projected') projectedReferences(source, `${path}.projected`, app, policy, add);
      else otherSecretReferences(source, at(path, type), app, policy, add);
    }
  });
}

function volumeRule(policy: WorkerPolicy): string {
  return `must be one of the volume types this worker allows (${policy.volumes.types.join(', ')})`;
}

function projectedReferences(source: unknown, path: string, app: string, policy: WorkerPolicy, add: Add): void {
  ownList(source, 'sources', () => add(`${path}.sources`, 'must be a list', 'volumes.types')).forEach((s, j) => {
    secretRef(own(own(s, 'secret'), 'name'), `${path}.sources[${j}].secret.name`, app, policy, add);
    configMapRef(own(own(s, 'configMap'), 'name'), `${path}.sources[${j}].configMap.name`, app, policy, add);
  });
}

function otherSecretReferences(source: unknown, path: string, app: string, policy: WorkerPolicy, add: Add): void {
  for (const key of SECRET_REF_KEYS) secretRef(own(own(source, key), 'name'), `${path}.${key}.name`, app, policy, add);
  secretRef(own(source, 'secretName'), `${path}.secretName`, app, policy, add);
}

function secretRef(name: unknown, field: string, app: string, policy: WorkerPolicy, add: Add): void {
  if (name === undefined) return;
  // deployflow's own secret, which every pod it renders mounts.
  if (name === ENVIRONMENT_SECRET.name) return;
  reference(name, field, app, policy.references.secrets, 'secret', add, 'references.secrets');
}

function configMapRef(name: unknown, field: string, app: string, policy: WorkerPolicy, add: Add): void {
  if (name === undefined) return;
  reference(name, field, app, policy.references.configMaps, 'configMap', add, 'references.configMaps');
}

function reference(name: unknown, field: string, app: string, patterns: string[], kind: string, add: Add, entry: string): void {
  if (typeof name === 'string' && patterns.some((p) => globMatches(compileGlob(p, app), name))) return;
  const allowed = patterns.map((p) => p.split('{app}').join(app));
  const extra = kind === 'secret' ? [ENVIRONMENT_SECRET.name, ...allowed] : allowed;
  add(field, `must name a ${kind} this app may use (${[...new Set(extra)].join(', ') || 'none'})`, entry);
}
