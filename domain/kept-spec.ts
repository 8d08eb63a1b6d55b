// The spec a kept RC carries in its `app-spec` annotation, for `rollback
// --to-revision`. Inline env values are not copied there (nor into the UI's
// static details): the pod template already holds them, and every RC list
// result would otherwise repeat them. A redeploy takes the env back from the
// template, so what comes back is exactly what ran.
import type { AppSpec, EnvValue } from './spec.js';
import { ENVIRONMENT_SECRET } from './names.js';
import { isMapping } from './spec-checks.js';

/** Stands in for an inline value wherever the spec is shown or stored outside the pod template. */
export const INLINE_VALUE_MARKER = '(inline value: in the pod template only)';

export function withoutInlineEnvValues(spec: AppSpec): AppSpec {
  return {
    ...spec,
    containers: spec.containers.map((c) => ({
      ...c,
      env: Object.fromEntries(Object.entries(c.env).map(([name, value]) => [name, typeof value === 'string' ? INLINE_VALUE_MARKER : value])),
    })),
  };
}

export const specForAnnotation = withoutInlineEnvValues;

/**
 * The annotation's spec with each container's env read back from the RC's pod
 * template. Undefined when they do not fit together (a container missing from
 * the template): better no redeploy than one with a marker for a value.
 */
/** An env entry as the API server returns it (names optional in its types). */
interface TemplateEnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name?: string; key: string }; configMapKeyRef?: { name?: string; key: string } };
}

export function keptSpecJson(annotation: string | undefined, containers: ReadonlyArray<{ name?: string; env?: ReadonlyArray<TemplateEnvVar> }>): string | undefined {
  if (annotation === undefined) return undefined;
  let spec: unknown;
  try {
    spec = JSON.parse(annotation);
  } catch {
    return undefined;
  }
  if (!isMapping(spec) || !Array.isArray(spec.containers)) return undefined;
  const restored: unknown[] = [];
  for (const c of spec.containers) {
    const template = isMapping(c) ? containers.find((t) => t.name === c.name) : undefined;
    if (!isMapping(c) || !template) return undefined;
    restored.push({ ...c, env: envOf(template.env ?? []) });
  }
  return JSON.stringify({ ...spec, containers: restored });
}

function envOf(env: ReadonlyArray<TemplateEnvVar>): Record<string, EnvValue> {
  const out: Record<string, EnvValue> = {};
  for (const e of env) {
    if (e.name === ENVIRONMENT_SECRET.envVar) continue;
    const secret = e.valueFrom?.secretKeyRef;
    const configMap = e.valueFrom?.configMapKeyRef;
    if (secret) out[e.name] = { secretKeyRef: { name: secret.name ?? '', key: secret.key } };
    else if (configMap) out[e.name] = { configMapKeyRef: { name: configMap.name ?? '', key: configMap.key } };
    else out[e.name] = e.value ?? '';
  }
  return out;
}
