import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appPart, matchesSelector, parseSelector } from '../../domain/selector.js';

describe('label selectors', () => {
  const labels = { name: 'awesome-api', deployment: '7f3c1a2b', tier: 'backend' };

  test('= and == need the label with that value', () => {
    assert.equal(matchesSelector(labels, parseSelector('name=awesome-api,deployment=7f3c1a2b')), true);
    assert.equal(matchesSelector(labels, parseSelector('name==awesome-api')), true);
    assert.equal(matchesSelector(labels, parseSelector('name=awesome-api,deployment=00000000')), false);
    assert.equal(matchesSelector({ name: 'awesome-api' }, parseSelector('deployment=7f3c1a2b')), false);
  });

  test('!= matches another value and a missing label, as the apiserver does', () => {
    assert.equal(matchesSelector(labels, parseSelector('name=awesome-api,deployment!=00000000')), true);
    assert.equal(matchesSelector(labels, parseSelector('deployment!=7f3c1a2b')), false);
    assert.equal(matchesSelector({ name: 'awesome-api' }, parseSelector('deployment!=7f3c1a2b')), true);
    assert.equal(matchesSelector(undefined, parseSelector('deployment!=7f3c1a2b')), true);
  });

  test('an empty selector matches everything', () => {
    assert.equal(matchesSelector(labels, parseSelector('')), true);
  });

  test('set-based selectors are refused by name', () => {
    assert.throws(() => parseSelector('tier in (backend)'), /"tier in \(backend\)" is not key=value/);
    assert.throws(() => parseSelector('!deployment'), /is not key=value/);
  });

  test('the app part is the name= requirement', () => {
    assert.equal(appPart(parseSelector('name=awesome-api,deployment!=7f3c1a2b')), 'name=awesome-api');
    assert.equal(appPart(parseSelector('deployment=7f3c1a2b')), undefined);
    assert.equal(appPart(parseSelector('name!=awesome-api')), undefined);
  });
});
