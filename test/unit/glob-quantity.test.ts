// The two small languages of a worker policy: glob patterns (`*`, `{app}`) and
// Kubernetes quantities (ceilings).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob, globMatches, matchesAny } from '../../domain/glob.js';
import { compareQuantities, parseQuantity } from '../../domain/quantity.js';

describe('glob patterns', () => {
  const cases: Array<[pattern: string, text: string, matches: boolean, app?: string]> = [
    ['*', '', true],
    ['*', 'anything/at:all', true],
    ['team-a', 'team-a', true],
    ['team-a', 'team-ab', false],
    ['team-a', 'xteam-a', false],
    ['team-*', 'team-', true],
    ['team-*', 'team-payments', true],
    ['team-*', 'team', false],
    ['*-prod', 'shop-prod', true],
    ['*-prod', 'shop-prod-2', false],
    ['kube-*', 'kube-system', true],
    ['kube-*', 'my-kube-system', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXcYb', false],
    ['a*b*c', 'ab', false],
    // The first and last pieces must not overlap: `ab*ba` is at least 4 characters.
    ['ab*ba', 'aba', false],
    ['ab*ba', 'abba', true],
    ['a**b', 'ab', true],
    ['registry.example/shop/*', 'registry.example/shop/api', true],
    ['registry.example/shop/*', 'registry.example/shop', false],
    ['registry.example/shop/*', 'registry.example.evil/shop/api', false],
    ['{app}', 'awesome-api', true, 'awesome-api'],
    ['{app}-*', 'awesome-api-db', true, 'awesome-api'],
    ['{app}-*', 'awesome-api', false, 'awesome-api'],
    ['{app}-*', 'other-db', false, 'awesome-api'],
    // An app name is literal text: a `*` in it is no wildcard.
    ['{app}', 'anything', false, '*'],
    ['{app}-x', '*-x', true, '*'],
    // Regular-expression characters are literal too.
    ['a.c', 'abc', false],
    ['(a|aa)+', '(a|aa)+', true],
  ];
  for (const [pattern, text, expected, app] of cases) {
    test(`${pattern} ${expected ? 'matches' : 'does not match'} "${text}"${app ? ` (app ${app})` : ''}`, () => {
      assert.equal(globMatches(compileGlob(pattern, app), text), expected);
    });
  }

  test('matchesAny: one match is enough; none matches nothing', () => {
    assert.equal(matchesAny(['a', 'b*'], 'bee'), true);
    assert.equal(matchesAny(['a', 'b*'], 'cee'), false);
    assert.equal(matchesAny([], 'a'), false);
  });

  test('a pattern of many stars against a long text that fails at the end answers (no backtracking)', () => {
    const pattern = `${'*a'.repeat(200)}*b*`;
    assert.equal(globMatches(compileGlob(pattern), 'a'.repeat(100_000)), false);
    assert.equal(globMatches(compileGlob(pattern), `${'a'.repeat(100_000)}b`), true);
    assert.equal(globMatches(compileGlob(pattern), `${'a'.repeat(199)}b`), false);
  });
});

describe('Kubernetes quantities', () => {
  const values: Array<[input: unknown, num: bigint, den: bigint]> = [
    ['1', 1n, 1n],
    ['500m', 500n, 1000n],
    ['0.5', 5n, 10n],
    ['.5', 5n, 10n],
    ['5.', 5n, 1n],
    ['+2', 2n, 1n],
    ['-1', -1n, 1n],
    ['100u', 100n, 1_000_000n],
    ['3n', 3n, 1_000_000_000n],
    ['1k', 1000n, 1n],
    ['1M', 1_000_000n, 1n],
    ['1G', 1_000_000_000n, 1n],
    ['2P', 2_000_000_000_000_000n, 1n],
    ['1E', 1_000_000_000_000_000_000n, 1n],
    ['1Ki', 1024n, 1n],
    ['128Mi', 128n * 1024n ** 2n, 1n],
    ['1.5Gi', 15n * 1024n ** 3n, 10n],
    ['1Ei', 2n ** 60n, 1n],
    ['1e3', 1000n, 1n],
    ['1E3', 1000n, 1n],
    ['1e+3', 1000n, 1n],
    ['25e-2', 25n, 100n],
    [2, 2n, 1n],
    [0.25, 25n, 100n],
    [1e21, 10n ** 21n, 1n],
  ];
  for (const [input, num, den] of values) {
    test(`${JSON.stringify(input)} = ${num}/${den}`, () => assert.deepEqual(parseQuantity(input), { num, den }));
  }

  const invalid: unknown[] = ['', 'abc', 'Ki', '1.2.3', '1mi', '1KI', '2e', '1e', '1 Gi', ' 1', '1e400', '1e3.5', '--1', `${'9'.repeat(70)}`, true, null, {}, [], Number.NaN, Infinity];
  for (const input of invalid) test(`refuses ${JSON.stringify(input)}`, () => assert.equal(parseQuantity(input), undefined));

  const comparisons: Array<[string, string, number]> = [
    ['500m', '0.5', 0],
    ['1Gi', '1G', 1],
    ['1Gi', '1073741824', 0],
    ['1001m', '1', 1],
    ['999m', '1', -1],
    ['2e3', '2k', 0],
    ['-1', '0', -1],
    ['1.5Gi', '1536Mi', 0],
  ];
  for (const [a, b, expected] of comparisons) {
    test(`${a} ${expected < 0 ? '<' : expected > 0 ? '>' : '='} ${b}`, () => {
      assert.equal(compareQuantities(parseQuantity(a)!, parseQuantity(b)!), expected);
    });
  }
});
