// The label policy: the policy document's own validation, checking specs
// against it, and its trip through the workflow input (plain JSON).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_LABEL_POLICY, InvalidSpecError, checkLabelPolicy, describeLabelPolicy, enforceLabelPolicy, validateAppSpec, validateLabelPolicy,
  type LabelPolicy,
} from '../../domain/index.js';
import { assertIssues, edit, issuesOf, minimalRaw, type ExpectedIssue } from './spec-fixture.js';

const TIERS = { values: ['frontend', 'backend', 'worker'] };

function policy(raw: Record<string, unknown>): LabelPolicy {
  return validateLabelPolicy(raw);
}

function spec(changes: Record<string, unknown> = {}) {
  return validateAppSpec(edit(minimalRaw(), changes));
}

describe('validateLabelPolicy: accepted documents', () => {
  test('an empty policy is the seed conventions', () => {
    assert.deepEqual(policy({}), { ...DEFAULT_LABEL_POLICY, optional: {} });
  });

  test('the default policy is a valid policy document', () => {
    assert.deepEqual(validateLabelPolicy(JSON.parse(JSON.stringify(DEFAULT_LABEL_POLICY))), DEFAULT_LABEL_POLICY);
  });

  test('name/app/tier/role stay required and come first, whatever the file lists', () => {
    const p = policy({ required: { team: null, tier: TIERS } });
    assert.deepEqual(Object.keys(p.required), ['name', 'app', 'tier', 'role', 'team']);
    assert.deepEqual(p.required.tier, TIERS);
    assert.deepEqual(p.required.team, {});
  });

  test('keys may be a plain list', () => {
    const p = policy({ required: ['team', 'language'], optional: ['cost-center', 'example.com/owner'] });
    assert.deepEqual(Object.keys(p.required), ['name', 'app', 'tier', 'role', 'team', 'language']);
    assert.deepEqual(Object.keys(p.optional), ['cost-center', 'example.com/owner']);
  });

  test('rules: values (numbers read as text), pattern, description', () => {
    const p = policy({
      required: { tier: { values: ['frontend', 'backend', 'worker'], description: ' where it sits ' } },
      optional: { 'cost-center': { pattern: 'cc-[0-9]{4}' }, year: { values: [2024, 2025] } },
      otherLabels: 'deny',
    });
    assert.deepEqual(p.required.tier, { values: ['frontend', 'backend', 'worker'], description: 'where it sits' });
    assert.deepEqual(p.optional['cost-center'], { pattern: 'cc-[0-9]{4}' });
    assert.deepEqual(p.optional.year, { values: ['2024', '2025'] });
    assert.equal(p.otherLabels, 'deny');
  });
});

describe('validateLabelPolicy: refused documents name the path and the rule', () => {
  const cases: Array<[string, unknown, readonly ExpectedIssue[]]> = [
    ['not a mapping', ['tier'], [['policy', /must be a mapping/]]],
    ['unknown top-level key, with a hint', { requird: ['team'] }, [['requird', 'unknown field (did you mean "required"?)']]],
    ['required neither mapping nor list', { required: 'team' }, [['required', /must be a mapping of label keys to rules, or a list/]]],
    ['a list entry that is not a string', { required: ['team', 3] }, [['required[1]', /must be a label key/]]],
    ['a repeated list entry', { optional: ['team', 'team'] }, [['optional[1]', 'repeats team']]],
    ['an invalid label key', { required: { 'bad key': null } }, [['required.bad key', /^must be a valid label key/]]],
    ['an invalid key prefix', { required: { 'Example.com/team': null } }, [['required.Example.com/team', /^must be a valid label key/]]],
    ['deployflow’s own selector label', { required: { deployment: null } }, [['required.deployment', /set by deployflow itself/]]],
    ['deployflow’s managed-by label', { optional: { 'app.kubernetes.io/managed-by': null } }, [['optional.app.kubernetes.io/managed-by', /set by deployflow itself/]]],
    ['a deployflow.io/ key', { optional: { 'deployflow.io/x': null } }, [['optional.deployflow.io/x', /set by deployflow itself/]]],
    ['a rule that is not a mapping', { required: { tier: 'frontend' } }, [['required.tier', /must be a mapping with values, pattern or description/]]],
    ['an unknown rule key', { required: { tier: { value: ['a'] } } }, [['required.tier.value', 'unknown field (did you mean "values"?)']]],
    ['values not a list', { required: { tier: { values: 'frontend' } } }, [['required.tier.values', 'must be a non-empty list of label values']]],
    ['values empty', { required: { tier: { values: [] } } }, [['required.tier.values', 'must be a non-empty list of label values']]],
    ['a value no label can hold', { required: { tier: { values: ['frontend', 'back end'] } } }, [['required.tier.values[1]', /no app could ever match it/]]],
    ['an empty value', { required: { tier: { values: [''] } } }, [['required.tier.values[0]', /non-empty valid label value/]]],
    ['a repeated value', { required: { tier: { values: ['a', 'a'] } } }, [['required.tier.values[1]', 'repeats a']]],
    ['a value of the wrong type', { required: { tier: { values: [true] } } }, [['required.tier.values[0]', 'must be a string']]],
    ['a broken pattern', { required: { team: { pattern: '[a-z' } } }, [['required.team.pattern', /^is not a valid regular expression/]]],
    ['an empty pattern', { required: { team: { pattern: '' } } }, [['required.team.pattern', 'must be a non-empty regular expression']]],
    // RE2 syntax: what needs backtracking does not exist, and a pattern cannot break out of its anchoring.
    ['a lookahead', { required: { team: { pattern: '(?=a)a' } } }, [['required.team.pattern', /^is not a valid regular expression \(RE2 syntax.*\(\?=/]]],
    ['a backreference', { required: { team: { pattern: '(a)\\1' } } }, [['required.team.pattern', /^is not a valid regular expression/]]],
    ['a pattern closing the anchor group', { required: { team: { pattern: 'a)|(b' } } }, [['required.team.pattern', /^is not a valid regular expression/]]],
    ['a huge pattern', { required: { team: { pattern: 'a'.repeat(513) } } }, [['required.team.pattern', 'must be at most 512 characters']]],
    ['values and pattern together', { required: { tier: { values: ['a'], pattern: 'a' } } }, [['required.tier', 'must have values or pattern, not both']]],
    ['a blank description', { required: { tier: { description: ' ' } } }, [['required.tier.description', 'must be a non-empty string']]],
    ['a convention made optional', { optional: { tier: null } }, [['optional.tier', /is always required by deployflow/]]],
    ['a key both required and optional', { required: ['team'], optional: ['team'] }, [['optional.team', 'is also listed under required']]],
    ['otherLabels neither allow nor deny', { otherLabels: 'ignore' }, [['otherLabels', 'must be one of allow, deny']]],
  ];
  for (const [what, raw, expected] of cases) {
    test(what, () => assertIssues(issuesOf(() => validateLabelPolicy(raw)), expected, what));
  }

  test('every problem at once', () => {
    const issues = issuesOf(() => validateLabelPolicy({ required: { tier: { values: [] }, 'x y': null }, otherLabels: 1 }));
    assert.deepEqual(issues.map((i) => i.field), ['required.tier.values', 'required.x y', 'otherLabels']);
  });
});

describe('checkLabelPolicy', () => {
  test('the default policy passes every valid spec', () => {
    assert.deepEqual(checkLabelPolicy(spec(), DEFAULT_LABEL_POLICY), []);
    assert.deepEqual(checkLabelPolicy(spec({ language: 'nodejs', labels: { team: 'x' } }), DEFAULT_LABEL_POLICY), []);
  });

  test('a value outside the allowed set names the field, the values and the policy', () => {
    const p = policy({ required: { tier: TIERS } });
    assert.deepEqual(checkLabelPolicy(spec({ tier: 'database' }), p), [
      { field: 'tier', rule: 'must be one of frontend, backend, worker (label policy)' },
    ]);
    assert.deepEqual(checkLabelPolicy(spec({ tier: 'worker' }), p), []);
  });

  test('values are case-sensitive, like label selectors', () => {
    assert.equal(checkLabelPolicy(spec({ tier: 'Backend' }), policy({ required: { tier: TIERS } })).length, 1);
  });

  test('required keys beyond the conventions come from the spec labels', () => {
    const p = policy({ required: { team: { pattern: '[a-z]+' } } });
    assert.deepEqual(checkLabelPolicy(spec(), p), [{ field: 'labels.team', rule: 'is required (label policy)' }]);
    assert.deepEqual(checkLabelPolicy(spec({ labels: { team: 'payments' } }), p), []);
    assert.deepEqual(checkLabelPolicy(spec({ labels: { team: 'payments-2' } }), p), [
      { field: 'labels.team', rule: 'must match [a-z]+ (label policy)' },
    ]);
  });

  test('patterns match the whole value', () => {
    const p = policy({ optional: { 'cost-center': { pattern: 'cc-[0-9]{4}' } } });
    assert.equal(checkLabelPolicy(spec({ labels: { 'cost-center': 'cc-1234' } }), p).length, 0);
    assert.equal(checkLabelPolicy(spec({ labels: { 'cost-center': 'xcc-12345' } }), p).length, 1);
  });

  test('a pattern that backtracks catastrophically in a RegExp answers at once (RE2 is linear)', () => {
    // With a backtracking engine, `(a|aa)+` against a long run of a's that ends in a
    // mismatch takes exponential time (deployctl validate was killed after 20 s).
    const p = policy({ required: { team: { pattern: '(a|aa)+' } } });
    const long = `${'a'.repeat(40)}b`;
    assert.deepEqual(checkLabelPolicy({ ...spec(), labels: { team: long } }, p), [
      { field: 'labels.team', rule: 'must match (a|aa)+ (label policy)' },
    ]);
    assert.deepEqual(checkLabelPolicy({ ...spec(), labels: { team: 'a'.repeat(40) } }, p), []);
    const nested = policy({ required: { team: { pattern: '(x+x+)+y' } } });
    assert.equal(checkLabelPolicy({ ...spec(), labels: { team: 'x'.repeat(5000) } }, nested).length, 1);
  });

  test('a required language is the top-level field', () => {
    const p = policy({ required: ['language'] });
    assert.deepEqual(checkLabelPolicy(spec(), p), [{ field: 'language', rule: 'is required (label policy)' }]);
    assert.deepEqual(checkLabelPolicy(spec({ language: '' }), p), [{ field: 'language', rule: 'is required (label policy)' }]);
    assert.deepEqual(checkLabelPolicy(spec({ language: 'go' }), p), []);
  });

  test('optional keys are checked only when present', () => {
    const p = policy({ optional: { language: { values: ['nodejs', 'jvm'] } } });
    assert.deepEqual(checkLabelPolicy(spec(), p), []);
    assert.deepEqual(checkLabelPolicy(spec({ language: 'cobol' }), p), [
      { field: 'language', rule: 'must be one of nodejs, jvm (label policy)' },
    ]);
  });

  test('the description explains the rule in every issue', () => {
    const p = policy({ required: { team: { values: ['payments'], description: 'the owning team' } } });
    assert.deepEqual(checkLabelPolicy(spec(), p), [{ field: 'labels.team', rule: 'is required (label policy: the owning team)' }]);
    assert.deepEqual(checkLabelPolicy(spec({ labels: { team: 'search' } }), p), [
      { field: 'labels.team', rule: 'must be one of payments (label policy: the owning team)' },
    ]);
  });

  test('otherLabels: deny refuses spec labels the policy does not name, saying which it allows', () => {
    const p = policy({ required: ['team'], optional: ['example.com/owner'], otherLabels: 'deny' });
    const s = spec({ labels: { team: 'a', 'example.com/owner': 'b', extra: 'c', 'x.io/y': 'd' } });
    assert.deepEqual(checkLabelPolicy(s, p), [
      { field: 'labels.extra', rule: 'is not allowed by the label policy; it allows team, example.com/owner' },
      { field: 'labels["x.io/y"]', rule: 'is not allowed by the label policy; it allows team, example.com/owner' },
    ]);
    const bare = policy({ otherLabels: 'deny' });
    assert.match(checkLabelPolicy(spec({ labels: { extra: 'c' } }), bare)[0]!.rule, /allows no labels beyond the conventions/);
    // The conventions are spec fields, never "other labels".
    assert.deepEqual(checkLabelPolicy(spec({ language: 'go' }), bare), []);
  });

  test('several problems are all reported, in policy order', () => {
    const p = policy({ required: { tier: TIERS, team: null }, optional: { language: { values: ['go'] } } });
    assert.deepEqual(
      checkLabelPolicy(spec({ tier: 'db', language: 'php' }), p).map((i) => i.field),
      ['tier', 'labels.team', 'language'],
    );
  });
});

describe('enforceLabelPolicy (the workflow’s gate)', () => {
  test('throws InvalidSpecError with every issue; passes a conforming spec', () => {
    const p = policy({ required: { tier: TIERS } });
    assert.throws(() => enforceLabelPolicy(spec({ tier: 'db' }), p), (err: unknown) => {
      assert.ok(err instanceof InvalidSpecError);
      assert.equal(err.message, 'tier: must be one of frontend, backend, worker (label policy)');
      return true;
    });
    enforceLabelPolicy(spec({ tier: 'backend' }), p);
  });

  test('accepts the policy after a JSON round trip (as in workflow input) and validates it again', () => {
    const p = policy({ required: { team: { pattern: '[a-z]+', description: 'd' } }, otherLabels: 'deny' });
    const wire: unknown = JSON.parse(JSON.stringify(p));
    assert.deepEqual(validateLabelPolicy(wire), p);
    enforceLabelPolicy(spec({ labels: { team: 'abc' } }), wire);
    assert.throws(() => enforceLabelPolicy(spec(), { required: { team: { pattern: '(' } } }), /required\.team\.pattern: is not a valid regular expression/);
  });
});

describe('describeLabelPolicy', () => {
  test('one line per key, then the other-labels rule', () => {
    const p = policy({ required: { tier: TIERS, team: { pattern: '[a-z]+', description: 'owner' } }, optional: ['language'], otherLabels: 'deny' });
    assert.deepEqual(describeLabelPolicy(p), [
      'name (required): any valid value',
      'app (required): any valid value',
      'tier (required): frontend | backend | worker',
      'role (required): any valid value',
      'team (required): /[a-z]+/ — owner',
      'language (optional): any valid value',
      'other labels: denied',
    ]);
  });
});
