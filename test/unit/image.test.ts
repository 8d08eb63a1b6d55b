import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidSpecError, formatImageRef, parseImageRef, resolveDeployImages, validateAppSpec, type ImageRef } from '../../domain/index.js';
import { edit, issuesOf, minimalRaw } from './spec-fixture.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImageRef', () => {
  const valid: Array<[string, ImageRef]> = [
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.25', { repository: 'nginx', tag: '1.25' }],
    ['library/nginx:latest', { repository: 'library/nginx', tag: 'latest' }],
    ['registry.example/awesome-api:1.4.2', { repository: 'registry.example/awesome-api', tag: '1.4.2' }],
    ['localhost:5000/team/app', { repository: 'localhost:5000/team/app' }],
    ['localhost:5000/team/app:v1', { repository: 'localhost:5000/team/app', tag: 'v1' }],
    ['localhost/app', { repository: 'localhost/app' }],
    ['Registry.Example:443/app', { repository: 'Registry.Example:443/app' }],
    [`app@${DIGEST}`, { repository: 'app', digest: DIGEST }],
    [`ghcr.io/org/app:1.0@${DIGEST}`, { repository: 'ghcr.io/org/app', tag: '1.0', digest: DIGEST }],
    ['a/b_c/d__e/f-g--h.i', { repository: 'a/b_c/d__e/f-g--h.i' }],
    ['app:_build.7-rc', { repository: 'app', tag: '_build.7-rc' }],
    [`app:${'t'.repeat(128)}`, { repository: 'app', tag: 't'.repeat(128) }],
  ];
  for (const [ref, expected] of valid) {
    test(`parses ${ref.length > 60 ? `${ref.slice(0, 60)}…` : ref}`, () => {
      assert.deepEqual(parseImageRef(ref), expected);
      assert.equal(formatImageRef(expected), ref);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ['', /^is required$/],
    ['Awesome', /^must be a valid image repository/],
    ['registry.example/Awesome', /^must be a valid image repository/],
    ['app/', /^must be a valid image repository/],
    ['/app', /^must be a valid image repository/],
    ['a//b', /^must be a valid image repository/],
    ['a b', /^must be a valid image repository/],
    ['app-', /^must be a valid image repository/],
    ['-bad.host/app', /^must be a valid image repository/],
    ['host:port/app', /^must be a valid image repository/],
    ['app:1:2', /^must be a valid image repository/],
    ['app:', /^tag must be/],
    ['app:-x', /^tag must be/],
    ['app:.x', /^tag must be/],
    [`app:${'t'.repeat(129)}`, /^tag must be/],
    ['app@sha256:abc', /^digest must be sha256:/],
    [`app@sha512:${'a'.repeat(64)}`, /^digest must be sha256:/],
    [`app@sha256:${'A'.repeat(64)}`, /^digest must be sha256:/],
    [`${'a/'.repeat(128)}a`, /^repository must be at most 255 characters$/],
  ];
  for (const [ref, rule] of invalid) {
    test(`refuses ${JSON.stringify(ref.length > 40 ? `${ref.slice(0, 40)}…` : ref)}`, () => {
      const issues = issuesOf(() => parseImageRef(ref));
      assert.equal(issues.length, 1);
      assert.equal(issues[0]?.field, 'image');
      assert.match(issues[0]?.rule ?? '', rule);
    });
  }

  test('names the field it was given', () => {
    assert.throws(() => parseImageRef('UPPER/Case', 'containers[2].image'), (e: unknown) => {
      assert.ok(e instanceof InvalidSpecError);
      assert.equal(e.issues[0]?.field, 'containers[2].image');
      return true;
    });
  });
});

describe('resolveDeployImages', () => {
  const one = validateAppSpec(minimalRaw());
  const twoSameRepo = validateAppSpec(edit(minimalRaw(), { 'containers[1]': { name: 'worker', image: 'registry.example/awesome-api' } }));
  const withSidecar = validateAppSpec(edit(minimalRaw(), { 'containers[1]': { name: 'statsd', image: 'registry.example/statsd' } }));

  const ok: Array<[string, typeof one, string, string[]]> = [
    ['full reference', one, 'registry.example/awesome-api:1.4.2', ['registry.example/awesome-api:1.4.2']],
    ['digest', one, `registry.example/awesome-api@${DIGEST}`, [`registry.example/awesome-api@${DIGEST}`]],
    ['two containers, one repository', twoSameRepo, 'registry.example/awesome-api:2', ['registry.example/awesome-api:2', 'registry.example/awesome-api:2']],
    ['tag only pins every container', withSidecar, ':1.4.2', ['registry.example/awesome-api:1.4.2', 'registry.example/statsd:1.4.2']],
    ['digest only', one, `@${DIGEST}`, [`registry.example/awesome-api@${DIGEST}`]],
    ['tag and digest only', one, `:1.4.2@${DIGEST}`, [`registry.example/awesome-api:1.4.2@${DIGEST}`]],
  ];
  for (const [name, spec, image, expected] of ok) {
    test(name, () => assert.deepEqual(resolveDeployImages(spec, image), expected));
  }

  const refused: Array<[string, typeof one, string, string | RegExp]> = [
    ['no tag or digest', one, 'registry.example/awesome-api', 'must include a tag or digest'],
    [
      'repository matches no container',
      one,
      'registry.example/other:1',
      'repository registry.example/other matches no container (containers[0].image is registry.example/awesome-api)',
    ],
    [
      'lists every container when none matches',
      withSidecar,
      'registry.example/other:1',
      'repository registry.example/other matches no container (containers[0].image is registry.example/awesome-api, containers[1].image is registry.example/statsd)',
    ],
    ['sidecar from another repository', withSidecar, 'registry.example/awesome-api:1', /does not match containers\[1\]\.image \(registry\.example\/statsd\).*sidecars from other repositories are not supported yet/],
    ['invalid reference', one, 'registry.example/Awesome:1', /^must be a valid image repository/],
    ['invalid tag-only form', one, ':', /^tag must be/],
    ['docker.io spelling is not normalised', validateAppSpec(edit(minimalRaw(), { 'containers[0].image': 'nginx' })), 'docker.io/library/nginx:1', /matches no container/],
  ];
  for (const [name, spec, image, rule] of refused) {
    test(`refuses: ${name}`, () => {
      const issues = issuesOf(() => resolveDeployImages(spec, image));
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.equal(issues[0]?.field, 'image');
      if (typeof rule === 'string') assert.equal(issues[0]?.rule, rule);
      else assert.match(issues[0]?.rule ?? '', rule);
    });
  }
});
