/**
 * The calibration hook names real facts: a lab that marks the printed IDs `observed` must find each of them in
 * fixtures/facts/. A renamed or removed fact fails here, not in a lab's hands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFacts } from '../../../fixtures/facts/facts.js';
import { OBSERVATION_FACTS, factsObserved } from './facts.js';

test('every fact ID calibration prints exists in the fact base', () => {
  const known = new Set(loadFacts().map((f) => f.id));
  const unknown = Object.entries(OBSERVATION_FACTS).flatMap(([section, ids]) => ids.filter((id) => !known.has(id)).map((id) => `${section}: ${id}`));
  assert.deepEqual(unknown, []);
});

test('factsObserved lists the facts of the sections present, once each, in section order', () => {
  assert.deepEqual(factsObserved(['events.sessionStarted', 'events.sessionEnded', 'tasks.logon', 'no.such.section']), [
    'win.event-channel-admin',
    'win.event-session-ids',
    'win.task-login-name',
  ]);
});
