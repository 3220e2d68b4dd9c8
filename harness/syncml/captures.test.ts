/**
 * The codec against real Windows bytes: the two captured management requests (fixtures/README.md) parse to exactly
 * the values they hold, and survive a build → parse round trip unchanged.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AlertCode, buildSyncML, decodeValue, parseSyncML } from './index.js';
import type { Alert, Item, SyncML } from './index.js';

/** The body of a captured HTTP request: everything after the blank line that ends the headers. */
function captureBody(file: string): { headers: string; body: string } {
  const raw = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8').replace(/\r\n/g, '\n');
  const split = raw.indexOf('\n\n');
  assert.notEqual(split, -1, `${file} has no blank line after its headers`);
  return { headers: raw.slice(0, split), body: raw.slice(split + 2) };
}

const HEADER = {
  VerDTD: '1.2',
  VerProto: 'DM/1.2',
  MsgID: '1',
  Target: { LocURI: 'https://windows.fleetdm.ngrok.io/ManagementServer/MDM.svc' },
  Source: { LocURI: 'B5B954E81FBCB94EB79BD08BE625F4EE' },
};

const DEV_INFO: Item[] = [
  { Source: { LocURI: './DevInfo/DevId' }, Data: 'B5B954E81FBCB94EB79BD08BE625F4EE' },
  { Source: { LocURI: './DevInfo/Man' }, Data: 'VMware, Inc.' },
  { Source: { LocURI: './DevInfo/Mod' }, Data: 'VMware7,1' },
  { Source: { LocURI: './DevInfo/DmV' }, Data: '1.3' },
  { Source: { LocURI: './DevInfo/Lang' }, Data: 'en-US' },
];

const LOGIN_STATUS: Alert = {
  kind: 'Alert',
  CmdID: '3',
  Data: '1224',
  Item: [{ Meta: { Type: 'com.microsoft/MDM/LoginStatus' }, Data: 'user' }],
};

test('05: the first management message of a real Windows 10 device parses to exactly its values', () => {
  const { headers, body } = captureBody('05-management-session1.http');
  assert.match(headers, /^Content-Type: application\/vnd\.syncml\.dm\+xml$/m);
  const expected: SyncML = {
    SyncHdr: { ...HEADER, SessionID: '1' },
    SyncBody: {
      commands: [
        { kind: 'Alert', CmdID: '2', Data: '1201', Item: [] },
        LOGIN_STATUS,
        { kind: 'Replace', CmdID: '4', Item: DEV_INFO },
      ],
      Final: true,
    },
  };
  const parsed = parseSyncML(body);
  assert.deepStrictEqual(parsed, expected);
  assert.equal(parsed.SyncBody.commands[0]?.kind === 'Alert' && parsed.SyncBody.commands[0].Data, AlertCode.CLIENT_INITIATED_MGMT);
  // The same bytes as a Buffer: the server hands the codec raw bodies.
  assert.deepStrictEqual(parseSyncML(Buffer.from(body, 'utf8')), expected);
});

test('06: the unenrollment session carries Alert 1226 with Format int, and parses to exactly its values', () => {
  const { body } = captureBody('06-management-session2-unenroll.http');
  const parsed = parseSyncML(body);
  assert.deepStrictEqual(parsed, {
    SyncHdr: { ...HEADER, SessionID: '2' },
    SyncBody: {
      commands: [
        { kind: 'Alert', CmdID: '2', Data: '1201', Item: [] },
        LOGIN_STATUS,
        {
          kind: 'Alert',
          CmdID: '4',
          Data: '1226',
          Item: [
            {
              Meta: { Type: 'com.microsoft:mdm.unenrollment.userrequest', Format: 'int' },
              Data: '1',
            },
          ],
        },
        { kind: 'Replace', CmdID: '5', Item: DEV_INFO },
      ],
      Final: true,
    },
  });
  const unenroll = parsed.SyncBody.commands[2];
  assert.ok(unenroll?.kind === 'Alert' && unenroll.Data === AlertCode.GENERIC_ALERT);
  const item = unenroll.Item[0];
  assert.equal(decodeValue('int', item?.Data), 1);
});

test('both captures survive build → parse unchanged, and build writes the Windows namespace spellings', () => {
  for (const file of ['05-management-session1.http', '06-management-session2-unenroll.http']) {
    const parsed = parseSyncML(captureBody(file).body);
    const built = buildSyncML(parsed);
    assert.ok(built.startsWith('<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>'), built.slice(0, 80));
    assert.ok(built.includes('<Meta><Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type></Meta>'));
    assert.ok(built.endsWith('<Final/></SyncBody></SyncML>'));
    assert.deepStrictEqual(parseSyncML(built), parsed);
  }
});
