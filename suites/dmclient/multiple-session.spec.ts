/**
 * MultipleSession (dmclient-csp.md#provider-providerid-multiplesession-...): "Only applicable for Windows Enterprise
 * multi-session" (the DDF's MSFT:EditionAllowList for the node is 0xAF only). Present and settable there; absent
 * (404) on every other edition.
 */
import { conformance, expect, skipNotApplicable } from '../../fixtures/conformance.js';
import { code, data } from './support.js';
import { AT_LOGON, BACKGROUND, INTERVAL, LEAVES, MS, multipleSession, NUMBER } from './multiple-session.steps.js';

conformance.describe('MultipleSession', () => {
  conformance(
    {
      id: 'DMC-MULTI-001',
      title: 'on multi-session, MultipleSession is present and the user-session retry schedule has its default until set',
      group: 'multiple-session',
      nodes: [MS, ...LEAVES],
      reference: 'provider-providerid-multiplesession-intervalforscheduledretriesforusersession',
      requires: { multiSession: true },
      specConflict:
        'IntervalForScheduledRetriesForUserSession when not set: dmclient-csp.md "The default value is 0"; the DDF and the current DMClient CSP page (windows-itpro-docs, 2023) "Default value is 1440"',
    },
    async ({ device }) => {
      const { initial } = await device.prepared(multipleSession);
      expect(code(initial[0]), 'Get MultipleSession').toBe('200');
      // The settings have no value until set: the two concurrency settings are then "dynamically decided by the
      // client" (the DDF: "Default value is 25"), and for the schedule "If IntervalForScheduledRetriesForUserSession
      // is not set, then the default value is used", 0 in the article and 1440 in the DDF; the count's default is 0
      // in both. A Get answers the value or 404 (no value).
      LEAVES.forEach((leaf, i) => expect(['200', '404'], `Get ${leaf}`).toContain(code(initial[i + 1])));
      if (code(initial[3]) === '200') expect(['0', '1440'], 'IntervalForScheduledRetriesForUserSession before any write').toContain(data(initial[3]));
      if (code(initial[4]) === '200') expect(data(initial[4]), 'NumberOfScheduledRetriesForUserSession before any write').toBe('0');
    },
  );

  conformance(
    { id: 'DMC-MULTI-002', title: 'on multi-session, the concurrency settings take 0, 1 and 2 (none, sequential, parallel)', group: 'multiple-session', nodes: [BACKGROUND, AT_LOGON], reference: 'provider-providerid-multiplesession-numallowedconcurrentusersessionforbackgroundsync', requires: { multiSession: true } },
    async ({ device }) => {
      const r = (await device.prepared(multipleSession)).concurrency;
      expect([0, 2, 4, 6].map((i) => code(r[i]))).toEqual(['200', '200', '200', '200']);
      expect([1, 3, 5, 7].map((i) => data(r[i]))).toEqual(['0', '1', '2', '1']);
      // Delete hands the value back to the client ("dynamically decided by the client based on CPU usage").
      expect([code(r[8]), code(r[9])]).toEqual(['200', '200']);
    },
  );

  conformance(
    { id: 'DMC-MULTI-003', title: 'on multi-session, the user-session retry schedule takes an interval and a count', group: 'multiple-session', nodes: [INTERVAL, NUMBER], reference: 'provider-providerid-multiplesession-numberofscheduledretriesforusersession', requires: { multiSession: true } },
    async ({ device }) => {
      const r = (await device.prepared(multipleSession)).schedule;
      expect([code(r[0]), code(r[1]), data(r[2]), data(r[3])]).toEqual(['200', '200', '60', '3']);
      expect([code(r[4]), code(r[5]), data(r[6]), data(r[7])]).toEqual(['200', '200', '0', '0']);
    },
  );

  conformance(
    { id: 'DMC-MULTI-004', title: 'elsewhere, MultipleSession and its settings are absent (404, or 406 not supported)', group: 'multiple-session', nodes: [MS, ...LEAVES], reference: 'provider-providerid-multiplesession-numallowedconcurrentusersessionforbackgroundsync' },
    async ({ device }, testInfo) => {
      if (device.capabilities.multiSession) skipNotApplicable(testInfo, 'requires an edition that is not multi-session (device is Windows Enterprise multi-session)');
      const { initial } = await device.prepared(multipleSession);
      // "Only applicable for Windows Enterprise multi-session." The OMA DM status table has two words for that:
      // 404 "if you query a node that doesn't exist", 406 "if you try to access a property that the CSP doesn't support".
      const absent = initial.map((r) => (['404', '406'].includes(code(r)) ? 'absent' : code(r)));
      expect(absent, 'Get MultipleSession and its four settings: 404 or 406').toEqual(['absent', 'absent', 'absent', 'absent', 'absent']);
    },
  );
});
