// Credentials of the local cluster: an admin bearer token, the service-account
// signing key pair, and the audit policy. The apiserver generates its own
// self-signed serving certificate in the same folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Metadata of every write, nothing of reads: enough to count writes per test.
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
`;

export function writePki(dir: string): { adminToken: string } {
  fs.mkdirSync(dir, { recursive: true });
  const adminToken = crypto.randomBytes(24).toString('hex');
  fs.writeFileSync(path.join(dir, 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  fs.writeFileSync(path.join(dir, 'audit-policy.yaml'), AUDIT_POLICY);
  return { adminToken };
}

export function kubeconfigYaml(server: string, token: string): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: deployflow-local
    cluster:
      server: ${server}
      # The local apiserver signs its own serving certificate.
      insecure-skip-tls-verify: true
users:
  - name: admin
    user:
      token: ${token}
contexts:
  - name: deployflow-local
    context: { cluster: deployflow-local, user: admin, namespace: default }
current-context: deployflow-local
`;
}
