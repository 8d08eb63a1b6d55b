// The Temporal server configuration is one template (compose/temporal/
// deployflow.yaml) that docker-compose.yml and the local production topology
// both run: render it with compose's variables and with the stack's, and the two
// must differ only where a deployment has to (addresses, ports, secrets, paths).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import { TEMPORAL_DYNAMIC_CONFIG, TEMPORAL_SERVICES, SHARED_DYNAMIC_CONFIG, WORKER_VERSIONING_DYNAMIC_CONFIG, readTemplate, renderTemplate, templateVariables } from '../../stack/temporal-config.js';
import { commandFor, type StackState } from '../../stack/components.js';
import { stackFiles } from '../../stack/layout.js';
import { composeServerEnv, sampleStackServerEnv, unexpectedDifferences } from '../helpers/server-config.js';

const root = new URL('../../', import.meta.url);
const compose = yaml.load(fs.readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
  services: Record<string, { entrypoint?: string[] }>;
};
const temporal = compose.services.temporal!;
const template = readTemplate();
const composeEnv = composeServerEnv;
const stackEnv = sampleStackServerEnv();

describe('the Temporal server configuration template', () => {
  test('uses nothing but {{ env "NAME" }}, which the server renders itself (enable-template)', () => {
    assert.match(template.split('\n')[0]!, /^# enable-template$/);
    assert.ok(templateVariables(template).length > 10);
    assert.throws(() => templateVariables('a: {{ .Env.X }}'), /may only use \{\{ env "NAME" \}\}/);
    assert.throws(() => renderTemplate(template, {}), /needs .*POSTGRES_ADDRESS/);
  });

  test('compose and the stack set exactly the variables it reads', () => {
    const wanted = templateVariables(template);
    assert.deepEqual(Object.keys(composeEnv()).sort(), wanted);
    assert.deepEqual(Object.keys(stackEnv).sort(), wanted);
  });

  test('rendered for compose and for the stack, the two differ only in deployment-specific values', () => {
    const diff = unexpectedDifferences(yaml.load(renderTemplate(template, composeEnv())), yaml.load(renderTemplate(template, stackEnv)));
    assert.deepEqual(diff.missing, [], 'the same settings');
    assert.deepEqual(diff.differing, [], 'no other difference');
    assert.ok(diff.all.includes('persistence.datastores.postgres-default.sql.connectAddr'), 'the comparison sees real differences');
  });

  test('both run PostgreSQL and JWT authorization with the default claim mapper and authorizer', () => {
    for (const env of [composeEnv(), stackEnv]) {
      const config = yaml.load(renderTemplate(template, env)) as {
        persistence: { datastores: Record<string, { sql: { pluginName: string; databaseName: string } }> };
        global: { authorization: Record<string, unknown> & { jwtKeyProvider: { keySourceURIs: string[] } } };
        services: Record<string, { rpc: { bindOnIP: string } }>;
      };
      assert.deepEqual(Object.values(config.persistence.datastores).map((d) => [d.sql.pluginName, d.sql.databaseName]), [
        ['postgres12', 'temporal'],
        ['postgres12', 'temporal_visibility'],
      ]);
      const { authorization } = config.global;
      assert.equal(authorization.authorizer, 'default');
      assert.equal(authorization.claimMapper, 'default');
      assert.equal(authorization.permissionsClaimName, 'permissions');
      assert.equal(authorization.jwtKeyProvider.keySourceURIs.length, 1);
      assert.deepEqual(Object.keys(config.services).sort(), [...TEMPORAL_SERVICES].sort());
      // The internal frontend skips authorization: it must not listen beyond loopback.
      for (const name of TEMPORAL_SERVICES.filter((s) => s !== 'frontend')) assert.equal(config.services[name]!.rpc.bindOnIP, '127.0.0.1', name);
    }
  });

  test('compose starts the same services the stack starts', () => {
    const started = (temporal.entrypoint ?? []).filter((a) => a.startsWith('--service=')).map((a) => a.slice('--service='.length));
    assert.deepEqual(started, [...TEMPORAL_SERVICES]);
  });

  test('the dynamic config of compose and the production topology turns on what Worker Versioning and eager activities need, as the dev server does', () => {
    const dynamic = yaml.load(fs.readFileSync(TEMPORAL_DYNAMIC_CONFIG, 'utf8')) as Record<string, Array<{ value: unknown; constraints?: object }>>;
    assert.ok(Object.keys(WORKER_VERSIONING_DYNAMIC_CONFIG).length >= 2);
    const ports = Object.fromEntries(['temporal', 'temporalUi', 'temporalHttp', 'temporalMetrics', 'codecServer'].map((k, i) => [k, 7000 + i]));
    const devServer = commandFor('temporal', { binDir: 'bin', ports, adminToken: '', pids: {}, startedAt: '' } as unknown as StackState, stackFiles('stack-dir'));
    assert.equal(SHARED_DYNAMIC_CONFIG['system.enableActivityEagerExecution'], true);
    for (const [key, value] of Object.entries(SHARED_DYNAMIC_CONFIG)) {
      assert.deepEqual(dynamic[key], [{ value, constraints: {} }], key);
      assert.ok(devServer.args.includes(`--dynamic-config-value=${key}=${JSON.stringify(value)}`), `the dev server gets ${key}`);
    }
  });
});
