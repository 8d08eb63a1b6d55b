// Step 1 of a deploy: the `environment` secret every pod mounts. Its value is
// also how a worker knows it is pointed at the right cluster (invariant I6).
import { ApplicationFailure } from '@temporalio/common';
import { ENVIRONMENT_SECRET } from '../domain/names.js';
import type { Kube } from './kube.js';
import { isAlreadyExists, isNotFound, toFailure } from './errors.js';

/** The environment named by the namespace's secret, or undefined when there is none. */
export async function readEnvironmentSecret(kube: Kube, namespace: string): Promise<string | undefined> {
  try {
    const secret = await kube.core.readNamespacedSecret({ name: ENVIRONMENT_SECRET.name, namespace });
    const encoded = secret.data?.[ENVIRONMENT_SECRET.key];
    return encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8').trim();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw toFailure(err, `read secret ${namespace}/${ENVIRONMENT_SECRET.name}`);
  }
}

export function environmentMismatch(namespace: string, found: string, expected: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'EnvironmentMismatch',
    nonRetryable: true,
    message:
      `secret ${namespace}/${ENVIRONMENT_SECRET.name} says "${found}" but this worker deploys "${expected}": ` +
      'the worker is pointed at the wrong cluster; nothing was written',
  });
}

export async function ensureEnvironmentSecret(kube: Kube, environment: string, namespace: string): Promise<{ created: boolean }> {
  const found = await readEnvironmentSecret(kube, namespace);
  if (found !== undefined) {
    if (found !== environment) throw environmentMismatch(namespace, found, environment);
    return { created: false };
  }
  try {
    await kube.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: ENVIRONMENT_SECRET.name, namespace, labels: { 'app.kubernetes.io/managed-by': 'deployflow' } },
        type: 'Opaque',
        stringData: { [ENVIRONMENT_SECRET.key]: environment },
      },
    });
    return { created: true };
  } catch (err) {
    // Created meanwhile by a concurrent deploy: check what it says instead.
    if (isAlreadyExists(err)) return ensureEnvironmentSecret(kube, environment, namespace);
    throw toFailure(err, `create secret ${namespace}/${ENVIRONMENT_SECRET.name}`);
  }
}
