// The deploy queue's pure bookkeeping (domain/queue.ts) and its request check
// (domain/queue-request.ts): where a request goes under each policy, what it
// supersedes, the bounds, and what the validator refuses before history.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinsRunning, jsonBytes, place, placementProblem, remember, QUEUE_LIMITS, type FinishedTicket, type QueueEntry, type RequestKind, type WaitingPolicy } from '../../domain/queue.js';
import { checkQueueRequest } from '../../domain/queue-request.js';
import { queueIdFor, workflowIdFor } from '../../domain/names.js';
import { sampleRaw } from './spec-fixture.js';

const entry = (ticket: string, policy: WaitingPolicy = 'fifo', kind: RequestKind = 'deploy', bytes = 100): QueueEntry<null> => ({
  ticket, kind, policy, image: `img:${ticket}`, requestedBy: 'ci', since: '2026-01-01T00:00:00.000Z', input: null, bytes,
});
const tickets = (list: readonly QueueEntry<null>[]) => list.map((e) => e.ticket).join(' ');

describe('place: where a request goes', () => {
  const cases: Array<{ name: string; pending: QueueEntry<null>[]; add: QueueEntry<null>; after: string; ticket: string; position: number; superseded: string }> = [
    { name: 'fifo into an empty queue', pending: [], add: entry('a'), after: 'a', ticket: 'a', position: 1, superseded: '' },
    { name: 'fifo appends', pending: [entry('a'), entry('b')], add: entry('c'), after: 'a b c', ticket: 'c', position: 3, superseded: '' },
    { name: 'latest-wins replaces every waiting deploy', pending: [entry('a'), entry('b', 'latest-wins')], add: entry('c', 'latest-wins'), after: 'c', ticket: 'c', position: 1, superseded: 'a b' },
    { name: 'latest-wins leaves waiting resizes their place', pending: [entry('r', 'fifo', 'resize'), entry('a')], add: entry('c', 'latest-wins'), after: 'r c', ticket: 'c', position: 2, superseded: 'a' },
    { name: 'a retried ticket keeps its place', pending: [entry('a'), entry('b')], add: entry('a', 'latest-wins'), after: 'a b', ticket: 'a', position: 1, superseded: '' },
    { name: 'a resize joins the resize already waiting', pending: [entry('a'), entry('r1', 'fifo', 'resize')], add: entry('r2', 'fifo', 'resize'), after: 'a r1', ticket: 'r1', position: 2, superseded: '' },
    { name: 'a resize behind a deploy waits in order', pending: [entry('a')], add: entry('r', 'fifo', 'resize'), after: 'a r', ticket: 'r', position: 2, superseded: '' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const placed = place(c.pending, c.add);
      assert.equal(tickets(placed.pending), c.after);
      assert.equal(placed.ticket, c.ticket);
      assert.equal(placed.position, c.position);
      assert.equal(tickets(placed.superseded), c.superseded);
    });
  }
  test('the input list is not changed', () => {
    const pending = [entry('a')];
    place(pending, entry('b', 'latest-wins'));
    assert.equal(tickets(pending), 'a');
  });
});

describe('joinsRunning', () => {
  test('a resize joins a running resize', () => assert.equal(joinsRunning(entry('r1', 'fifo', 'resize'), entry('r2', 'fifo', 'resize')), true));
  test('a resize waits behind a running deploy', () => assert.equal(joinsRunning(entry('a'), entry('r', 'fifo', 'resize')), false));
  test('a deploy never joins', () => assert.equal(joinsRunning(entry('r', 'fifo', 'resize'), entry('a')), false));
  test('nothing runs', () => assert.equal(joinsRunning(undefined, entry('r', 'fifo', 'resize')), false));
});

describe('placementProblem: the bounds', () => {
  const full = Array.from({ length: QUEUE_LIMITS.pending }, (_, i) => entry(`t${i}`));
  test('a full queue refuses fifo', () => assert.match(placementProblem(full, entry('x')) ?? '', /at most 20/));
  test('a full queue takes latest-wins, which empties it first', () => assert.equal(placementProblem(full, entry('x', 'latest-wins')), undefined));
  test('a full queue takes a retried ticket', () => assert.equal(placementProblem(full, entry('t3')), undefined));
  test('an oversized request', () => assert.match(placementProblem([], entry('x', 'fifo', 'deploy', QUEUE_LIMITS.requestBytes + 1)) ?? '', /at most 131072/));
  test('the waiting requests together', () => {
    const big = Array.from({ length: 8 }, (_, i) => entry(`b${i}`, 'fifo', 'deploy', QUEUE_LIMITS.requestBytes));
    assert.match(placementProblem(big, entry('x', 'fifo', 'deploy', QUEUE_LIMITS.requestBytes)) ?? '', /would carry/);
  });
});

describe('remember', () => {
  test('keeps the newest finished tickets', () => {
    const f = (t: string): FinishedTicket => ({ ticket: t, kind: 'deploy', image: '', requestedBy: '', outcome: 'Succeeded', message: '', at: '' });
    const many = remember(Array.from({ length: QUEUE_LIMITS.finished }, (_, i) => f(`o${i}`)), f('new'));
    assert.equal(many.length, QUEUE_LIMITS.finished);
    assert.equal(many.at(-1)?.ticket, 'new');
    assert.equal(many[0]?.ticket, 'o1');
  });
  test('jsonBytes counts UTF-8', () => assert.equal(jsonBytes({ a: 'é' }), 10));
});

describe('checkQueueRequest: what the validator refuses', () => {
  const queue = { environment: 'staging', namespace: 'default', name: 'awesome-api' };
  const input = { spec: sampleRaw(), environment: 'staging', image: 'registry.example/awesome-api:1.0.0', requestedBy: 'ci' };
  const ok = { ticket: 'awesome-api-1', policy: 'fifo', input };
  const now = '2026-01-01T00:00:00.000Z';

  test('a good request becomes an entry with its image, requester and size', () => {
    const checked = checkQueueRequest(ok, queue, now);
    assert.ok('entry' in checked);
    assert.equal(checked.entry.image, 'registry.example/awesome-api:1.0.0');
    assert.equal(checked.entry.requestedBy, 'ci');
    assert.equal(checked.entry.kind, 'deploy');
    assert.equal(checked.entry.bytes, jsonBytes(input));
  });
  test('a resize of a kept revision', () => {
    const resize = { ticket: 'resize-1', policy: 'fifo', kind: 'resize', input: { environment: 'staging', toRevision: 3, app: { namespace: 'default', name: 'awesome-api' }, requestedBy: 'per-node schedule' } };
    const checked = checkQueueRequest(resize, queue, now);
    assert.ok('entry' in checked);
    assert.equal(checked.entry.image, 'revision 3');
  });
  const refused: Array<[string, unknown, RegExp]> = [
    ['not a mapping', 'deploy please', /must be a mapping/],
    ['no ticket', { ...ok, ticket: undefined }, /ticket: must match/],
    ['a ticket with a slash', { ...ok, ticket: 'a/b' }, /ticket: must match/],
    ['a huge ticket', { ...ok, ticket: 'a'.repeat(81) }, /ticket: must match/],
    ['reject', { ...ok, policy: 'reject' }, /reject never queues/],
    ['an unknown kind', { ...ok, kind: 'wipe' }, /kind: must be deploy or resize/],
    ['another environment', { ...ok, input: { ...input, environment: 'production' } }, /must be "staging"/],
    ['another app', { ...ok, input: { ...input, spec: { ...sampleRaw(), name: 'other-api' } } }, /not this queue's app default\/awesome-api/],
    ['an invalid spec', { ...ok, input: { ...input, spec: { ...sampleRaw(), replicas: -1 } } }, /replicas/],
    ['an oversized input', { ...ok, input: { ...input, source: 'x'.repeat(QUEUE_LIMITS.requestBytes) } }, /at most 131072/],
    ['a resize of another app', { ticket: 'r', policy: 'fifo', kind: 'resize', input: { environment: 'staging', toRevision: 1, app: { namespace: 'default', name: 'x' }, requestedBy: 's' } }, /input.app/],
    ['a resize without revision', { ticket: 'r', policy: 'fifo', kind: 'resize', input: { environment: 'staging', app: { namespace: 'default', name: 'awesome-api' }, requestedBy: 's' } }, /toRevision/],
  ];
  for (const [name, raw, rule] of refused) {
    test(`refuses ${name}`, () => {
      const checked = checkQueueRequest(raw, queue, now);
      assert.ok('problem' in checked, 'refused');
      assert.match(checked.problem, rule);
    });
  }
});

test('the queue id differs from the lock id, so the queue never holds the lock itself', () => {
  assert.equal(queueIdFor('staging', 'default', 'awesome-api'), 'queue/staging/default/awesome-api');
  assert.notEqual(queueIdFor('s', 'n', 'a'), workflowIdFor('s', 'n', 'a'));
});
