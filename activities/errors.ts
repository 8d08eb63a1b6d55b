// Every cluster failure leaves an activity as a named ApplicationFailure: the
// workflow branches on the type, and a raw ApiException (whose message embeds
// response headers) never reaches history.
import { ApplicationFailure } from '@temporalio/common';
import { ApiException } from './kubernetes-client.js';

/** Failure types that retrying cannot fix; the workflow's retry policies list them. */
export const NON_RETRYABLE_ERRORS = [
  'InvalidSpec',
  'Invalid',
  'EnvironmentMismatch',
  'RolloutStalled',
  'RolloutTampered',
  'Forbidden',
  'Unauthorized',
  'NotFound',
] as const;

export type KubeFailureType =
  | 'Invalid'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Conflict'
  | 'TooManyRequests'
  | 'ServerError'
  | 'ClusterUnreachable';

export function kubeFailureType(err: unknown): KubeFailureType | undefined {
  if (err instanceof ApiException) {
    const code = err.code;
    if (code === 400 || code === 422) return 'Invalid';
    if (code === 401) return 'Unauthorized';
    if (code === 403) return 'Forbidden';
    if (code === 404) return 'NotFound';
    if (code === 409) return 'Conflict';
    if (code === 429) return 'TooManyRequests';
    return 'ServerError';
  }
  if (isNetworkError(err)) return 'ClusterUnreachable';
  return undefined;
}

/** Converts anything a cluster call threw into a typed ApplicationFailure; `what` says which call. */
export function toFailure(err: unknown, what: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const type = kubeFailureType(err) ?? 'ClusterError';
  const nonRetryable = (NON_RETRYABLE_ERRORS as readonly string[]).includes(type);
  return ApplicationFailure.create({ type, message: `${what}: ${describe(err)}`, nonRetryable });
}

/** Runs a cluster call, mapping its failure. */
export async function kubeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toFailure(err, what);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

/** The write's precondition (a resourceVersion) no longer holds: someone updated the object first. */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiException && err.code === 409;
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiException && err.code === 409;
}

function describe(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    const message = body && typeof body === 'object' && 'message' in body ? String(body.message) : undefined;
    return `HTTP ${err.code}${message ? `: ${message}` : ''}`;
  }
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ? `${err.message} (${cause.code})` : err.message;
  }
  return String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isNetworkError(err: unknown): boolean {
  const codes = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE'];
  let current: unknown = err;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && codes.includes(code)) return true;
    const name = (current as { name?: unknown }).name;
    if (name === 'FetchError' || name === 'AbortError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Rejects as Cancelled (`<what> cancelled`) once `signal` aborts: raced against
 * each await of a wait, it ends the wait at once. `stop()` stops listening.
 */
export function cancelledOn(signal: AbortSignal, what: string): { cancelled: Promise<never>; stop(): void } {
  let onAbort = () => {};
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => reject(ApplicationFailure.create({ type: 'Cancelled', message: `${what} cancelled` }));
  });
  cancelled.catch(() => {});
  signal.addEventListener('abort', onAbort);
  return { cancelled, stop: () => signal.removeEventListener('abort', onAbort) };
}
