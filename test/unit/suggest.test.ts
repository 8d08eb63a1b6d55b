import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closestMatch, editDistance } from '../../domain/index.js';

describe('editDistance', () => {
  const cases: Array<[string, string, number]> = [
    ['', '', 0],
    ['', 'abc', 3],
    ['replicas', 'replicas', 0],
    ['replica', 'replicas', 1],
    ['repilcas', 'replicas', 1],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3],
  ];
  for (const [a, b, d] of cases) {
    test(`${a || '""'} ~ ${b || '""'} = ${d}`, () => {
      assert.equal(editDistance(a, b), d);
      assert.equal(editDistance(b, a), d);
    });
  }
});

describe('closestMatch', () => {
  const keys = ['name', 'image', 'ports', 'env', 'readinessProbe', 'resources', 'volumeMounts'];
  const cases: Array<[string, string | undefined]> = [
    ['imgae', 'image'],
    ['nmae', 'name'],
    ['Ports', 'ports'],
    ['readinessprobe', 'readinessProbe'],
    ['volumeMount', 'volumeMounts'],
    ['livenessProbe', undefined],
    ['command', undefined],
  ];
  for (const [word, expected] of cases) test(`${word} -> ${expected}`, () => assert.equal(closestMatch(word, keys), expected));

  test('the first candidate wins a tie', () => assert.equal(closestMatch('ab', ['aa', 'bb']), 'aa'));
  test('respects the distance limit', () => assert.equal(closestMatch('abcd', ['wxyz'], 3), undefined));
});
