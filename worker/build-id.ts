// The build id of a worker: which version of the environment's Worker
// Deployment it is. Two workers that would run the same workflow code must
// share it (they serve the same histories), and any change of that code must
// change it (the server then routes by it). So the default is a hash of what
// actually runs in the workflow sandbox — the bundle — plus the SDK version,
// whose native half replays histories too but is not in the bundle.
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { invalidSpec } from '../domain/errors.js';

export const BUILD_ID_ENV = 'DEPLOYFLOW_BUILD_ID';

const sdkVersion: string = (createRequire(import.meta.url)('@temporalio/worker/package.json') as { version: string }).version;

/** `wf-` and 12 hex digits of sha256(SDK version, bundle code): the same bundle gives the same id anywhere (no paths in it). */
export function buildIdOfBundle(bundleCode: string, sdk = sdkVersion): string {
  const hash = crypto.createHash('sha256').update(`@temporalio/worker@${sdk}\n`).update(bundleCode).digest('hex');
  return `wf-${hash.slice(0, 12)}`;
}

// An image tag or a commit fits; the server refuses ids starting with "__" and
// limits deployment name + build id to the workflow-id length (255 in compose).
const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A build id given by --build-id or DEPLOYFLOW_BUILD_ID; undefined means "derive it from the bundle". */
export function validateBuildId(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!BUILD_ID.test(value)) throw invalidSpec('--build-id', "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
  return value;
}
