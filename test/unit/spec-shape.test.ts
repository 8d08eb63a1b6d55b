// Parsed input whose shape would hang or crash the validator: YAML aliases that
// refer to themselves or expand a small file into gigabytes, and deep nesting.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { InvalidSpecError, validateAppSpec } from '../../domain/index.js';
import { MAX_SPEC_DATA_BYTES, checkDataShape } from '../../domain/spec-shape.js';
import { minimalRaw } from './spec-fixture.js';

const load = (text: string) => yaml.load(text, { schema: yaml.CORE_SCHEMA });

function bomb(levels: number): string {
  let text = 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]\n';
  for (let i = 1; i <= levels; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]\n`;
  return text;
}

describe('checkDataShape', () => {
  test('a recursive alias names the field that loops back', () => {
    const raw = load('name: x\nresources: &r\n  limits: { cpu: 1 }\n  again: *r\n');
    assert.deepEqual(checkDataShape(raw), { field: 'resources.again', rule: 'must not refer to itself (a YAML alias inside its own anchor)' });
  });

  test('an alias bomb is refused quickly, without expanding it', () => {
    const started = Date.now();
    const issue = checkDataShape(load(bomb(12)));
    assert.ok(Date.now() - started < 1000);
    assert.match(issue?.rule ?? '', /^is too large: expands to more than 512 KiB/);
    assert.match(issue?.field ?? '', /^a\d+$/);
  });

  test('shared aliases below the limit are fine', () => {
    assert.equal(checkDataShape(load(bomb(3))), undefined);
    const env = load('x: &env { LOG_LEVEL: info }\ny: *env\nz: *env\n');
    assert.equal(checkDataShape(env), undefined);
  });

  test('nesting deeper than the limit is refused', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 150; i++) deep = [deep];
    assert.match(checkDataShape({ resources: deep })?.rule ?? '', /^must not nest deeper than 100 levels/);
  });

  test('no alias-free YAML under the 256 KiB file limit reaches the data limit', () => {
    const fill = (head: string, item: (i: number) => string, tail = '') => {
      let text = head;
      for (let i = 0; text.length + tail.length < 256 * 1024 - 16; i++) text += item(i);
      return text + tail;
    };
    // The densest ways to write data: one-character scalars, bare nulls, short exponents, short keys.
    const texts = [
      fill('x: [a', () => ',a', ']\n'),
      fill('x:\n', () => '-\n'),
      fill('x: [1e9', () => ',1e9', ']\n'),
      fill('x:\n', (i) => ` k${i}:\n`),
      fill('x: [[]', () => ',[]', ']\n'),
    ];
    for (const text of texts) {
      assert.ok(Buffer.byteLength(text) <= 256 * 1024);
      assert.equal(checkDataShape(load(text)), undefined, text.slice(0, 20));
    }
    assert.ok(MAX_SPEC_DATA_BYTES >= 2 * 256 * 1024);
  });

  test('validateAppSpec reports the shape problem alone, before copying anything', () => {
    const raw = minimalRaw();
    const probe: Record<string, unknown> = { httpGet: { path: '/', port: 80 } };
    probe.again = probe;
    (raw.containers as Array<Record<string, unknown>>)[0]!.readinessProbe = probe;
    assert.throws(
      () => validateAppSpec(raw),
      (err: unknown) => err instanceof InvalidSpecError && err.issues.length === 1 && err.issues[0]?.field === 'containers[0].readinessProbe.again',
    );
  });
});
