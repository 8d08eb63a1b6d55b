// Comparing two renderings of the Temporal server configuration template:
// which settings differ, and whether each difference is one a deployment has to make.
import fs from 'node:fs';
import yaml from 'js-yaml';
import { stackServerEnv, type ServerPorts } from '../../stack/temporal-config.js';

/** Every leaf as path → value. */
export function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) for (const [p, leaf] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, leaf);
  } else out.set(prefix, value);
  return out;
}

// Where a deployment may differ; everything else must be identical.
export const DEPLOYMENT_SPECIFIC = [
  /\.connectAddr$/i, /\.password$/i, /^log\.level$/i, /^global\.membership\.broadcastAddress$/i, /^global\.metrics\.prometheus\.listenAddress$/i,
  /^global\.authorization\.jwtKeyProvider\.keySourceURIs\.0$/i, /^services\.[a-z-]+\.rpc\.(grpcPort|membershipPort|httpPort|bindOnIP)$/i,
  /^clusterMetadata\.clusterInformation\.active\.rpcAddress$/i, /^dynamicConfigClient\.filepath$/i,
];

/** The settings whose values differ between two parsed configurations but should not. */
export function unexpectedDifferences(a: unknown, b: unknown): { missing: string[]; differing: string[]; all: string[] } {
  const la = leaves(a);
  const lb = leaves(b);
  const keys = new Set([...la.keys(), ...lb.keys()]);
  const missing = [...keys].filter((k) => !la.has(k) || !lb.has(k));
  const all = [...keys].filter((k) => la.has(k) && lb.has(k) && la.get(k) !== lb.get(k));
  return { missing, differing: all.filter((k) => !DEPLOYMENT_SPECIFIC.some((re) => re.test(k))), all };
}

/** docker-compose.yml's temporal service variables, `${VAR:?message}` standing for what .env would give. */
export function composeServerEnv(): Record<string, string> {
  const compose = yaml.load(fs.readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as {
    services: Record<string, { environment?: Record<string, string> }>;
  };
  return Object.fromEntries(
    Object.entries(compose.services.temporal?.environment ?? {}).map(([k, v]) => [k, v.replace(/\$\{(\w+)(:[?-][^}]*)?\}/g, 'from-env-$1')]),
  );
}

/** The stack's variables for a made-up set of ports. */
export function sampleStackServerEnv(): Record<string, string> {
  const names: (keyof ServerPorts)[] = [
    'frontend', 'frontendHttp', 'frontendMembership', 'internalFrontend', 'internalFrontendMembership', 'internalFrontendHttp',
    'history', 'historyMembership', 'matching', 'matchingMembership', 'worker', 'workerMembership', 'metrics',
  ];
  const ports = Object.fromEntries(names.map((n, i) => [n, 21_000 + i])) as unknown as ServerPorts;
  return stackServerEnv(ports, { address: '127.0.0.1:21100', user: 'temporal', password: 'secret' }, 'http://127.0.0.1:21101/.well-known/jwks.json');
}
