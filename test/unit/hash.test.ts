import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, fnv1a64, templateHash, templateHashOf, validateAppSpec } from '../../domain/index.js';
import { edit, sampleRaw } from './spec-fixture.js';

describe('canonicalJson', () => {
  const cases: Array<[string, unknown, string]> = [
    ['sorts keys', { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ['sorts nested keys', { z: { y: 1, x: [{ d: 1, c: 2 }] } }, '{"z":{"x":[{"c":2,"d":1}],"y":1}}'],
    ['keeps array order', [3, 1, 2], '[3,1,2]'],
    ['drops undefined properties', { a: undefined, b: null }, '{"b":null}'],
    ['undefined in arrays becomes null', [undefined, 1], '[null,1]'],
    ['escapes strings', { 'k"': 'a\nb' }, '{"k\\"":"a\\nb"}'],
    ['primitives', 'x', '"x"'],
    ['dates via toJSON', { at: new Date(0) }, '{"at":"1970-01-01T00:00:00.000Z"}'],
    ['non-ASCII', { é: '日本' }, '{"é":"日本"}'],
  ];
  for (const [name, value, expected] of cases) test(name, () => assert.equal(canonicalJson(value), expected));

  test('parses back to the same data', () => {
    const value = { b: [1, { y: 'x', x: null }], a: { c: true } };
    assert.deepEqual(JSON.parse(canonicalJson(value)), value);
  });

  test('refuses bigint', () => assert.throws(() => canonicalJson({ n: 1n }), TypeError));
});

describe('fnv1a64', () => {
  // Published FNV-1a 64-bit test vectors.
  const vectors: Array<[string, bigint]> = [
    ['', 0xcbf29ce484222325n],
    ['a', 0xaf63dc4c8601ec8cn],
    ['foobar', 0x85944171f73967e8n],
  ];
  for (const [input, expected] of vectors) test(`vector ${JSON.stringify(input)}`, () => assert.equal(fnv1a64(input), expected));

  test('hashes the UTF-8 bytes, like a Buffer-based implementation', () => {
    const reference = (s: string) => {
      let h = 0xcbf29ce484222325n;
      for (const b of Buffer.from(s, 'utf8')) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
      return h;
    };
    for (const s of ['é', '日本語', '🚀 rocket', 'mixed ascii ü ß €', '\u0000']) assert.equal(fnv1a64(s), reference(s), s);
  });

  // The hash was first computed with a BigInt per byte over a for-of of the string: RCs named
  // then must keep their names, lone surrogates (which a Buffer would replace) and long text included.
  test('hashes as the first, BigInt-per-byte implementation did', () => {
    const first = (s: string) => {
      let h = 0xcbf29ce484222325n;
      for (const ch of s) {
        const cp = ch.codePointAt(0) ?? 0;
        const bytes = cp < 0x80 ? [cp] : cp < 0x800 ? [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)] : cp < 0x10000 ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)] : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
        for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
      }
      return h;
    };
    const long = Array.from({ length: 500 }, (_, i) => String.fromCodePoint((i * 7919) % 0x10ffff)).join('');
    for (const s of ['\ud800', 'a\udc00b', '\udbff\udfff', '\uffff', long, JSON.stringify(sampleRaw())]) assert.equal(fnv1a64(s), first(s), JSON.stringify(s).slice(0, 40));
  });
});

describe('templateHash', () => {
  test('is 8 lowercase hex characters', () => {
    for (const v of [{}, [], 'x', { a: [1, 2, 3] }]) assert.match(templateHash(v), /^[0-9a-f]{8}$/);
  });

  test('does not depend on key order', () => {
    assert.equal(templateHash({ a: 1, b: { c: 2, d: 3 } }), templateHash({ b: { d: 3, c: 2 }, a: 1 }));
  });

  test('depends on array order and values', () => {
    assert.notEqual(templateHash([1, 2]), templateHash([2, 1]));
    assert.notEqual(templateHash({ a: 1 }), templateHash({ a: 2 }));
  });

  // Pinned: if this changes, every deployed RC gets a new name on the next deploy.
  test('is stable across runs and releases', () => {
    assert.equal(templateHash({ spec: { containers: [{ name: 'api', image: 'registry.example/awesome-api:1.4.2' }] } }), '1afe4cc0');
  });
});

describe('templateHashOf', () => {
  const spec = validateAppSpec(sampleRaw());
  const hash = templateHashOf(spec, 'registry.example/awesome-api:1.4.2');

  const same: Array<[string, Record<string, unknown>]> = [
    ['replicas', { replicas: 9 }],
    ['revisionHistoryLimit', { revisionHistoryLimit: 5 }],
    ['strategy', { 'strategy.maxSurge': '50%', 'strategy.onFailure': 'wait', 'strategy.progressDeadlineSeconds': 600 }],
    ['namespace', { namespace: 'other' }],
    ['env key order', { 'containers[0].env': { B: '2', A: '1', LOG_LEVEL: 'info' } }],
  ];
  const alsoSorted = validateAppSpec(edit(sampleRaw(), { 'containers[0].env': { A: '1', B: '2', LOG_LEVEL: 'info' } }));
  for (const [what, change] of same) {
    test(`unchanged by ${what}`, () => {
      const base = what === 'env key order' ? templateHashOf(alsoSorted, 'registry.example/awesome-api:1.4.2') : hash;
      assert.equal(templateHashOf(validateAppSpec(edit(sampleRaw(), change)), 'registry.example/awesome-api:1.4.2'), base);
    });
  }

  test('unchanged by spelling the image as tag only', () => {
    assert.equal(templateHashOf(spec, ':1.4.2'), hash);
  });

  const different: Array<[string, Record<string, unknown>, string?]> = [
    ['the image tag', {}, 'registry.example/awesome-api:1.4.3'],
    ['an env value', { 'containers[0].env.LOG_LEVEL': 'debug' }],
    ['a label', { tier: 'frontend' }],
    ['the probe', { 'containers[0].readinessProbe.periodSeconds': 3 }],
    ['a port', { 'containers[0].ports[0].containerPort': 8081 }],
    ['a volume', { volumes: [{ name: 'tmp', emptyDir: {} }] }],
  ];
  for (const [what, change, image] of different) {
    test(`changed by ${what}`, () => {
      assert.notEqual(templateHashOf(validateAppSpec(edit(sampleRaw(), change)), image ?? 'registry.example/awesome-api:1.4.2'), hash);
    });
  }
});
