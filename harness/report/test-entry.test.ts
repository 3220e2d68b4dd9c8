/**
 * The observed value of an unconfirmed test: the part of the failure message that says what the device showed.
 * The reporter test and unconfirmed-verdict.test.ts read it from real runs; these are the message shapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observedPart } from './test-entry.js';

test('observed is the expected/received part of an expect() message, or the whole message', () => {
  assert.equal(
    observedPart('Error: Replace statuses\n\nexpect(received).toBe(expected) // Object.is equality\n\nExpected: "405"\nReceived: "200"'),
    'Expected: "405"\nReceived: "200"',
  );
  assert.equal(
    observedPart('Error: tasks\n\nexpect(received).toEqual(expected)\n\n- Expected  - 1\n+ Received  + 1\n\n- 15\n+ 30'),
    '- Expected  - 1\n+ Received  + 1\n\n- 15\n+ 30',
  );
  assert.equal(observedPart('Error: the device answered 500 to every Get'), 'Error: the device answered 500 to every Get');
  // A word that merely starts with "Expected" inside a sentence is not the expect() block.
  assert.equal(observedPart('Error: ExpectedPolicies as read back\nExpected: "a"\nReceived: "b"'), 'Expected: "a"\nReceived: "b"');
});
