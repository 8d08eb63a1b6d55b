// The Temporal server configuration is one template (compose/temporal/
// deployflow.yaml) that docker-compose.yml and the local production topology
// both run: render it with compose's variables and with the stack's, and the two
// must differ only where a deployment has to (addresses, ports, secrets, paths).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import { TEMPORAL_SERVICES, readTemplate, renderTemplate, stackServerEnv, templateVariables, type ServerPorts } from '../../stack/temporal-config.js';

const root = new URL('../../', import.meta.url);
const compose = yaml.load(fs.readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
  services: Record<string, { environment?: Record<string, string>; entrypoint?: string[] }>;
};
const temporal = compose.services.temporal!;
const template = readTemplate();

/** Compose's values, with `${VAR:?message}` interpolations standing for what .env would give. */
function composeEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(temporal.environment ?? {}).map(([k, v]) => [k, v.replace(/\$\{(\w+)(:[?-][^}]*)?\}/g, 'from-env-$1')]));
}

const ports: ServerPorts = {
  frontend: 41001, frontendHttp: 41002, frontendMembership: 41003, internalFrontend: 41004, internalFrontendMembership: 41005,
  history: 41006, historyMembership: 41007, matching: 41008, matchingMembership: 41009, worker: 41010, workerMembership: 41011, metrics: 41012,
};
const stackEnv = stackServerEnv(ports, { address: '127.0.0.1:41000', user: 'temporal', password: 'secret' }, 'http://127.0.0.1:41013/.well-known/jwks.json');

/** Every leaf as path → value. */
function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) for (const [p, leaf] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, leaf);
  } else out.set(prefix, value);
  return out;
}

// Where a deployment may differ; everything else must be identical.
const DEPLOYMENT_SPECIFIC = [
  /\.connectAddr$/, /\.password$/, /^log\.level$/, /^global\.membership\.broadcastAddress$/, /^global\.metrics\.prometheus\.listenAddress$/,
  /^global\.authorization\.jwtKeyProvider\.keySourceURIs\.0$/, /^services\.[a-z-]+\.rpc\.(grpcPort|membershipPort|httpPort|bindOnIP)$/,
  /^clusterMetadata\.clusterInformation\.active\.rpcAddress$/, /^dynamicConfigClient\.filepath$/,
];

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
    const fromCompose = leaves(yaml.load(renderTemplate(template, composeEnv())));
    const fromStack = leaves(yaml.load(renderTemplate(template, stackEnv)));
    assert.deepEqual([...fromCompose.keys()].sort(), [...fromStack.keys()].sort(), 'the same settings');
    const differing = [...fromCompose.keys()].filter((k) => fromCompose.get(k) !== fromStack.get(k));
    const unexpected = differing.filter((k) => !DEPLOYMENT_SPECIFIC.some((re) => re.test(k)));
    assert.deepEqual(unexpected, [], 'no other difference');
    assert.ok(differing.includes('persistence.datastores.postgres-default.sql.connectAddr'), 'the comparison sees real differences');
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
});
