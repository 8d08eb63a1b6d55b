// Shared input for the spec tests: the DESIGN.md example, a minimal spec, a path-based
// editor so table rows read like the YAML they change, and an issue matcher.
import assert from 'node:assert/strict';
import { InvalidSpecError, type SpecIssue } from '../../domain/index.js';

export type Raw = Record<string, unknown>;

/** Marks a field to delete in `edit`. */
export const REMOVE = Symbol('remove');

export function sampleRaw(): Raw {
  return {
    name: 'awesome-api',
    app: 'awesome',
    tier: 'backend',
    role: 'api',
    language: 'nodejs',
    namespace: 'default',
    replicas: 3,
    containers: [
      {
        name: 'api',
        image: 'registry.example/awesome-api',
        ports: [{ name: 'http', containerPort: 8080 }],
        env: { LOG_LEVEL: 'info' },
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
      },
    ],
    volumes: [],
    perNode: false,
    strategy: {
      maxSurge: 1,
      maxUnavailable: 0,
      minReadySeconds: 5,
      progressDeadlineSeconds: 300,
      onFailure: 'rollback',
      decisionTimeoutSeconds: 3600,
      approval: 'none',
    },
    revisionHistoryLimit: 2,
  };
}

export function minimalRaw(): Raw {
  return { name: 'awesome-api', app: 'awesome', tier: 'backend', role: 'api', containers: [{ name: 'api', image: 'registry.example/awesome-api' }] };
}

/** A deep copy of `raw` with each `path` (`containers[0].ports[0].containerPort`) set or removed. */
export function edit(raw: Raw, changes: Record<string, unknown>): Raw {
  const copy = structuredClone(raw);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split(/\.|(?=\[)/).map((k) => (k.startsWith('[') ? Number(k.slice(1, -1)) : k));
    let node: Record<string | number, unknown> = copy;
    keys.slice(0, -1).forEach((key, i) => {
      const next = node[key];
      if (typeof next !== 'object' || next === null) node[key] = typeof keys[i + 1] === 'number' ? [] : {};
      node = node[key] as Record<string | number, unknown>;
    });
    const last = keys[keys.length - 1] as string | number;
    if (value === REMOVE) {
      if (Array.isArray(node)) node.splice(last as number, 1);
      else delete node[last];
    } else node[last] = value;
  }
  return copy;
}

/** The issues `fn` throws as InvalidSpecError; [] when it does not throw. */
export function issuesOf(fn: () => unknown): SpecIssue[] {
  try {
    fn();
    return [];
  } catch (e) {
    if (!(e instanceof InvalidSpecError)) throw e;
    return e.issues;
  }
}

export type ExpectedIssue = readonly [field: string, rule: string | RegExp];

export function assertIssues(actual: SpecIssue[], expected: readonly ExpectedIssue[], context = ''): void {
  const show = JSON.stringify(actual, null, 1);
  assert.equal(actual.length, expected.length, `${context}: expected ${expected.length} issue(s), got ${show}`);
  expected.forEach(([field, rule], i) => {
    const got = actual[i];
    assert.ok(got, `${context}: missing issue ${i}`);
    assert.equal(got.field, field, `${context}: issue ${i} field, got ${show}`);
    if (typeof rule === 'string') assert.equal(got.rule, rule, `${context}: issue ${i} rule`);
    else assert.match(got.rule, rule, `${context}: issue ${i} rule`);
  });
}

export const DNS_1123 = /^must be a DNS-1123 label/;
export const LABEL_VALUE = /^must be a valid label value/;
