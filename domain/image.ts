// Image references follow the distribution reference grammar (registry host[:port],
// lowercase path components, `:tag`, `@sha256:digest`). The spec names repositories
// only; the deploy request supplies the tag or digest, so one spec file serves every
// release and the deployed version is always explicit.
import type { AppSpec } from './spec.js';
import { invalidSpec } from './errors.js';

export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

const DOMAIN = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_REPOSITORY_LENGTH = 255;

const RULES = {
  required: 'is required',
  repository:
    "must be a valid image repository: an optional registry host[:port]/ then lowercase path components (letters, digits, '.', '_', '-') separated by '/'",
  repositoryLength: `repository must be at most ${MAX_REPOSITORY_LENGTH} characters`,
  tag: "tag must be 1-128 characters of letters, digits, '_', '.', '-' and must not start with '.' or '-'",
  digest: 'digest must be sha256: followed by 64 lowercase hex characters',
} as const;

/** Parses `[host[:port]/]path[:tag][@sha256:hex]`; throws InvalidSpecError naming `field`. */
export function parseImageRef(ref: string, field = 'image'): ImageRef {
  const result = checkImageRef(ref);
  if (typeof result === 'string') throw invalidSpec(field, result);
  return result;
}

/** Like parseImageRef, but returns the broken rule instead of throwing (for collecting issues). */
export function checkImageRef(ref: string): ImageRef | string {
  if (ref === '') return RULES.required;
  const { repository, tag, digest } = split(ref);
  if (digest !== undefined && !DIGEST.test(digest)) return RULES.digest;
  if (tag !== undefined && !TAG.test(tag)) return RULES.tag;
  const repoRule = checkRepository(repository);
  if (repoRule) return repoRule;
  return { repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/**
 * The full image of each container, in order, for a deploy of `image`.
 *
 * - `:1.4.2`, `@sha256:…` or `:1.4.2@sha256:…` pins that version on every container.
 * - A full reference (it must carry a tag or digest) must name the repository of every
 *   container. Sidecars from other repositories are refused for now: we would have to
 *   invent a version for them, and a silent `latest` would make deploys unrepeatable.
 *
 * Repositories are compared as written (no docker.io/library normalisation), so the
 * request must spell the repository the way the spec does.
 */
export function resolveDeployImages(spec: Pick<AppSpec, 'containers'>, image: string): string[] {
  if (image.startsWith(':') || image.startsWith('@')) {
    const pin = parseImageRef(`placeholder${image}`);
    return spec.containers.map((c) => formatImageRef({ ...pin, repository: c.image }));
  }
  const ref = parseImageRef(image);
  if (ref.tag === undefined && ref.digest === undefined) throw invalidSpec('image', 'must include a tag or digest');
  const mismatched = spec.containers
    .map((c, i) => ({ field: `containers[${i}].image`, repository: c.image }))
    .filter((c) => c.repository !== ref.repository);
  if (mismatched.length === spec.containers.length) {
    const current = mismatched.map((c) => `${c.field} is ${c.repository}`).join(', ');
    throw invalidSpec('image', `repository ${ref.repository} matches no container (${current})`);
  }
  const [first] = mismatched;
  if (first) {
    throw invalidSpec(
      'image',
      `repository ${ref.repository} does not match ${first.field} (${first.repository}): every container must use the deployed repository; ` +
        'sidecars from other repositories are not supported yet (a tag-only image like ":1.4.2" pins one tag on all containers)',
    );
  }
  return spec.containers.map(() => formatImageRef(ref));
}

function split(ref: string): ImageRef {
  let rest = ref;
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  // A colon after the last slash is a tag; one before it belongs to host:port.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

function checkRepository(repository: string): string | undefined {
  if (repository.length > MAX_REPOSITORY_LENGTH) return RULES.repositoryLength;
  const parts = repository.split('/');
  // Same rule as Docker: the first component is a registry host only if it looks like one.
  const [first = ''] = parts;
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first));
  if (hasHost && !DOMAIN.test(first)) return RULES.repository;
  const path = hasHost ? parts.slice(1) : parts;
  return path.every((p) => PATH_COMPONENT.test(p)) ? undefined : RULES.repository;
}
