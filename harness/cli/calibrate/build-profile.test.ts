/** The parts of a calibration that read meaning into raw observations: templates, event IDs, task names, MaxMsgSize. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fillTemplate, toTemplate } from '../../../fixtures/virtual-device/profile-schema.js';
import { parseHttpCapture } from '../../enrollment/http-capture.js';
import { announcedMaxMsgSize, eventIds, taskNames } from './build-profile.js';
import { wireOf } from './observe.js';

const values = {
  EnrollmentID: '6A1C2F0E-3B4D-4E5F-8A9B-0C1D2E3F4A5B',
  ProviderID: 'DMCHarness',
  UPN: 'lab@example.com',
  ManagementURL: 'https://lab-harness:8443/ManagementServer/MDM.svc',
  ServerURL: 'https://lab-harness:8443',
};

describe('templates', () => {
  it('replace run values by placeholders, longest first, GUIDs in any case, time stamps by {Time}, and fill back', () => {
    const key = 'HKLM\\SOFTWARE\\Microsoft\\Enrollments\\6a1c2f0e-3b4d-4e5f-8a9b-0c1d2e3f4a5b\\DMClient\\DMCHarness';
    assert.equal(toTemplate(key, values), 'HKLM\\SOFTWARE\\Microsoft\\Enrollments\\{EnrollmentID}\\DMClient\\{ProviderID}');
    assert.equal(toTemplate('https://lab-harness:8443/ManagementServer/MDM.svc', values), '{ManagementURL}');
    assert.equal(toTemplate('https://lab-harness:8443/other', values), '{ServerURL}/other');
    assert.equal(toTemplate('20261205T074400Z', values), '{Time}');
    assert.equal(toTemplate('2026-12-05T07:44:00.123Z', values), '{Time}');
    assert.equal(toTemplate('Full', values), 'Full');
    assert.equal(fillTemplate('{ServerURL}/other', values), 'https://lab-harness:8443/other');
    assert.equal(fillTemplate('{Time}', values), undefined, 'a time stamp is never written by the virtual device');
  });
});

/** Event log entries as the event-log probe returns them, oldest first after calibration sorts them. */
const event = (Id: number, RecordId: number) => ({ TimeCreated: '2026-12-05T07:00:00Z', Id, ProviderName: 'p', Level: 4, RecordId, Message: null });

describe('event IDs', () => {
  it('a clean session gives started (first) and ended (last); the failing session the first ID it adds', () => {
    // Real Windows logs more than one event per session: the choice rests on order, not on a fixed list.
    const clean = [event(208, 10), event(2800, 11), event(209, 12)];
    const failing = [event(208, 13), event(2800, 14), event(404, 15), event(404, 16), event(209, 17)];
    assert.deepEqual(eventIds(clean, failing), { sessionStarted: 208, sessionEnded: 209, commandFailed: 404 });
    assert.deepEqual(eventIds([], failing), { commandFailed: 208 });
    assert.deepEqual(eventIds(clean, clean), { sessionStarted: 208, sessionEnded: 209 });
  });
});

describe('task names', () => {
  it('sets 1-3 by "#n", logon by what PollOnLogin added, the 24-hour task by what runs with a finite schedule', () => {
    const withoutLogon = [
      { name: 'Schedule #1 created by enrollment client', state: 'Ready' },
      { name: 'Schedule #2 created by enrollment client', state: 'Ready' },
      { name: 'Schedule #3 created by enrollment client', state: 'Ready' },
      { name: 'PushLaunch', state: 'Disabled' },
      { name: 'Schedule to run OMADMClient by client', state: 'Ready' },
    ];
    const withLogon = [...withoutLogon, { name: 'Login Schedule created by enrollment client', state: 'Ready' }];
    assert.deepEqual(taskNames({ withoutLogon, withLogon }), {
      pollSchedules: ['Schedule #1 created by enrollment client', 'Schedule #2 created by enrollment client', 'Schedule #3 created by enrollment client'],
      logon: 'Login Schedule created by enrollment client',
      maintenance: 'Schedule to run OMADMClient by client',
    });
    assert.deepEqual(taskNames({ withoutLogon: withoutLogon.slice(0, 2), withLogon: withoutLogon.slice(0, 2) }), {
      pollSchedules: ['Schedule #1 created by enrollment client', 'Schedule #2 created by enrollment client'],
    });
  });
});

describe('MaxMsgSize', () => {
  it('a device whose messages announce none (Windows, capture 05) gets null, not a made-up size; no message at all is not observed', async () => {
    const capture05 = parseHttpCapture(await readFile(new URL('../../server/testdata/05-management-session1.http', import.meta.url), 'utf8')).body;
    const windows = wireOf([capture05]);
    assert.deepEqual(windows, { messages: 1, maxMsgSize: undefined, digest: false });
    assert.equal(announcedMaxMsgSize(windows), null);
    const announcing = capture05.replace('</Source>\n  </SyncHdr>', '</Source>\n    <Meta><MaxMsgSize xmlns="syncml:metinf">524288</MaxMsgSize></Meta>\n  </SyncHdr>');
    assert.notEqual(announcing, capture05);
    assert.equal(announcedMaxMsgSize(wireOf([capture05, announcing])), 524288);
    // Enrollment and refused exchanges carry no SyncHdr: not messages of the device's sessions.
    assert.equal(announcedMaxMsgSize(wireOf(['<s:Envelope/>'])), undefined);
    assert.equal(announcedMaxMsgSize(wireOf([])), undefined);
  });
});
