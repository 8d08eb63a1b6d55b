// Environment → Temporal profile: the profile named like the environment, when
// the client config file has one; otherwise the one shared connection (the dev
// stack); an explicit TEMPORAL_PROFILE always wins.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configuredProfiles, profileForEnvironment, profiledEnvironments } from '../../client/profiles.js';
import { refusalOf } from '../../client/temporal.js';
import { EXIT, PermissionDeniedError } from '../../client/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployflow-profiles-'));
const file = path.join(dir, 'temporal.toml');
fs.writeFileSync(
  file,
  ['staging', 'production', 'default']
    .map((p) => `[profile.${p}]\naddress = "127.0.0.1:7233"\nnamespace = "${p}"\napi_key = "token-${p}"\n[profile.${p}.tls]\ndisabled = true\n`)
    .join('\n'),
);
const withFile = { TEMPORAL_CONFIG_FILE: file };
const noFile = { TEMPORAL_CONFIG_FILE: path.join(dir, 'missing.toml') };

describe('environment → Temporal profile', () => {
  test('the profile named like the environment, when there is one', () => {
    assert.deepEqual(configuredProfiles(withFile).sort(), ['default', 'production', 'staging']);
    assert.equal(profileForEnvironment(withFile, 'staging'), 'staging');
    assert.equal(profileForEnvironment(withFile, 'production'), 'production');
    assert.equal(profileForEnvironment(withFile, 'dev'), undefined, 'no profile: the shared connection');
    assert.equal(profileForEnvironment(withFile, undefined), undefined);
  });

  test('no config file: one shared connection for every environment (the dev stack)', () => {
    assert.deepEqual(configuredProfiles(noFile), []);
    assert.equal(profileForEnvironment(noFile, 'staging'), undefined);
    assert.deepEqual(profiledEnvironments(noFile), []);
  });

  test('an explicit TEMPORAL_PROFILE names one connection for everything', () => {
    assert.equal(profileForEnvironment({ ...withFile, TEMPORAL_PROFILE: 'default' }, 'staging'), undefined);
    assert.deepEqual(profiledEnvironments({ ...withFile, TEMPORAL_PROFILE: 'default' }), []);
  });

  test('the environments to read one by one leave out the default profile', () => {
    assert.deepEqual(profiledEnvironments(withFile).sort(), ['production', 'staging']);
  });
});

describe("Temporal's refusals", () => {
  const session = { namespace: 'production', address: '127.0.0.1:7233', profile: 'production' };

  test('PermissionDenied anywhere in the cause chain becomes exit 4 naming the namespace and the reason', () => {
    const grpc = Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized.'), { code: 7, details: 'Request unauthorized.' });
    const refusal = refusalOf(new Error('failed to start', { cause: grpc }), session);
    assert.ok(refusal instanceof PermissionDeniedError);
    assert.equal(refusal.exitCode, EXIT.unreachable);
    assert.match(refusal.message, /namespace "production"/);
    assert.match(refusal.message, /Request unauthorized\./);
    assert.match(refusal.message, /profile "production"/);
  });

  test('other failures are left alone', () => {
    assert.equal(refusalOf(Object.assign(new Error('unavailable'), { code: 14 }), session), undefined);
    assert.equal(refusalOf(new Error('boom'), session), undefined);
  });
});
