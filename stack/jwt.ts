// Who may do what on the production topology's Temporal, and the tokens that
// say so. The stack signs ES256 JWTs with its own key; Temporal checks them
// against the JWKS the stack serves (stack/jwks-server.ts) and maps the
// `permissions` claim with its default claim mapper: "<namespace>:<role>" or
// "temporal-system:<role>" for the whole cluster.
//
// Temporal's default authorizer knows four roles per namespace (worker < read <
// write < admin) and compares them by rank: polling a task queue needs `write`,
// so a worker's token can also start workflows in its own namespace, and
// `write` on a namespace covers start, signal, update and cancel alike. What
// keeps one environment from another is the namespace, not the verb.
import fs from 'node:fs';
import path from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const PRINCIPALS = {
  admin: ['temporal-system:admin'],
  'ci-staging': ['staging:write'],
  'ci-production': ['production:write'],
  operator: ['staging:write', 'production:write', 'release:write'],
  'worker-staging': ['staging:write'],
  'worker-production': ['production:write'],
  // Releases: the release worker and a CI job that starts releases see the release
  // namespace only; what they do in an environment goes through its Nexus endpoint.
  'worker-release': ['release:write'],
  'ci-release': ['release:write'],
} as const satisfies Record<string, readonly string[]>;

export type Principal = keyof typeof PRINCIPALS;

export function isPrincipal(name: string): name is Principal {
  return Object.hasOwn(PRINCIPALS, name);
}

const ALG = 'ES256';
const KID = 'deployflow-local-1';

export function keyFiles(dir: string) {
  return { privateKey: path.join(dir, 'signing-key.jwk.json'), jwks: path.join(dir, 'jwks.json') };
}

/** A fresh signing key (private JWK, 0600) and the JWKS that publishes its public half. */
export async function writeSigningKey(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const files = keyFiles(dir);
  const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
  const meta = { kid: KID, alg: ALG, use: 'sig' };
  fs.writeFileSync(files.privateKey, JSON.stringify({ ...(await exportJWK(privateKey)), ...meta }), { mode: 0o600 });
  fs.writeFileSync(files.jwks, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), ...meta }] }, null, 2));
}

/** A token for `principal`, valid for `ttlSeconds` (a day by default: a local stack's lifetime). */
export async function mintToken(dir: string, principal: Principal, ttlSeconds = 24 * 3600): Promise<string> {
  const jwk = JSON.parse(fs.readFileSync(keyFiles(dir).privateKey, 'utf8')) as JWK;
  const key = await importJWK(jwk, ALG);
  return new SignJWT({ permissions: [...PRINCIPALS[principal]] })
    .setProtectedHeader({ alg: ALG, kid: KID, typ: 'JWT' })
    .setSubject(principal)
    .setIssuer('deployflow-local-stack')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key);
}
