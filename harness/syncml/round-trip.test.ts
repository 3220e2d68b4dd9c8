/**
 * build → parse round trips for every command type, the exact Windows-style text build writes, and the places
 * where parsing is tolerant because Windows and other peers are loose.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyncMLError, StatusCode, buildSyncML, buildSyncMLBytes, parseSyncML } from './index.js';
import type { Command, SyncHdr, SyncML } from './index.js';

const HDR: SyncHdr = {
  VerDTD: '1.2',
  VerProto: 'DM/1.2',
  SessionID: '1A',
  MsgID: '1',
  Target: { LocURI: 'B5B954E81FBCB94EB79BD08BE625F4EE' },
  Source: { LocURI: 'https://127.0.0.1:8443/ManagementServer/MDM.svc', LocName: 'harness' },
};

function message(commands: Command[], hdr: Partial<SyncHdr> = {}): SyncML {
  return { SyncHdr: { ...HDR, ...hdr }, SyncBody: { commands, Final: true } };
}

function roundTrip(m: SyncML): string {
  const built = buildSyncML(m);
  assert.deepStrictEqual(parseSyncML(built), m);
  return built;
}

test('SyncHdr with every optional field round-trips: RespURI, NoResp, Cred, Meta MaxMsgSize/MaxObjSize, LocName', () => {
  const m = message([], {
    RespURI: 'https://127.0.0.1:8443/ManagementServer/MDM.svc?s=2&m=3',
    NoResp: true,
    Cred: { Meta: { Format: 'b64', Type: 'syncml:auth-md5' }, Data: 'eFd5ZWxsb3c=' },
    Meta: { MaxMsgSize: '65536', MaxObjSize: '1048576' },
  });
  const built = roundTrip(m);
  assert.ok(built.includes('<RespURI>https://127.0.0.1:8443/ManagementServer/MDM.svc?s=2&amp;m=3</RespURI><NoResp/>'));
  assert.ok(
    built.includes(
      '<Cred><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta>' +
        '<Data>eFd5ZWxsb3c=</Data></Cred><Meta><MaxMsgSize xmlns="syncml:metinf">65536</MaxMsgSize>' +
        '<MaxObjSize xmlns="syncml:metinf">1048576</MaxObjSize></Meta></SyncHdr>',
    ),
  );
});

test('Status is written in DTD order (CmdID, MsgRef, CmdRef, Cmd, TargetRef, SourceRef, Cred, Chal, Data, Item)', () => {
  const status: Command = {
    kind: 'Status',
    CmdID: '1',
    MsgRef: '1',
    CmdRef: '0',
    Cmd: 'SyncHdr',
    TargetRef: ['https://127.0.0.1:8443/ManagementServer/MDM.svc'],
    SourceRef: ['B5B954E81FBCB94EB79BD08BE625F4EE'],
    Chal: { Meta: { Format: 'b64', Type: 'syncml:auth-md5', NextNonce: 'Tm9uY2U=' } },
    Data: StatusCode.MISSING_CREDENTIALS,
    Item: [],
  };
  const built = roundTrip(message([status]));
  assert.ok(
    built.includes(
      '<SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>' +
        '<TargetRef>https://127.0.0.1:8443/ManagementServer/MDM.svc</TargetRef>' +
        '<SourceRef>B5B954E81FBCB94EB79BD08BE625F4EE</SourceRef>' +
        '<Chal><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type>' +
        '<NextNonce xmlns="syncml:metinf">Tm9uY2U=</NextNonce></Meta></Chal><Data>407</Data></Status><Final/></SyncBody>',
    ),
    built,
  );
});

test('Status with several TargetRef/SourceRef, Cred and Items round-trips', () => {
  roundTrip(
    message([
      {
        kind: 'Status', CmdID: '7', MsgRef: '2', CmdRef: '4', Cmd: 'Replace',
        TargetRef: ['./Vendor/MSFT/DMClient/Provider/MDM/Poll/NumberOfFirstRetries', './Device/Vendor/MSFT/A'],
        SourceRef: ['a', 'b'],
        Cred: { Data: 'c2VjcmV0' },
        Data: '200',
        Item: [{ Source: { LocURI: './x' }, Data: 'y' }],
      },
    ]),
  );
});

test('Alert, Add, Delete, Exec, Get and Replace round-trip with Meta, Cred, Correlator, NoResp and items', () => {
  const m = message([
    { kind: 'Alert', CmdID: '2', Data: '1226', Correlator: 'corr-1', Item: [{ Meta: { Type: 'com.microsoft:mdm.unenrollment.userrequest', Format: 'int' }, Data: '1' }] },
    { kind: 'Alert', CmdID: '3', NoResp: true, Cred: { Data: 'x' }, Data: '1201', Item: [] },
    { kind: 'Add', CmdID: '4', Meta: { Format: 'chr', Type: 'text/plain' }, Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/MDM/CustomEnrollmentCompletePage/Title' }, Data: 'Welcome' }] },
    { kind: 'Delete', CmdID: '5', NoResp: true, Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/MDM/Push' } }] },
    { kind: 'Exec', CmdID: '6', Correlator: 'abc', Cred: { Meta: { Type: 'syncml:auth-basic' }, Data: 'dXNlcjpwdw==' }, Item: [{ Target: { LocURI: './Vendor/MSFT/RemoteWipe/doWipe' }, Meta: { Format: 'null' }, Data: '' }] },
    { kind: 'Get', CmdID: '7', Item: [{ Target: { LocURI: './DevDetail/SwV' } }, { Target: { LocURI: './Vendor/MSFT/DMClient/Provider/MDM/EntDMID', LocName: 'ent' } }] },
    { kind: 'Replace', CmdID: '8', Meta: { Format: 'int' }, Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/MDM/Poll/IntervalForFirstSetOfRetries' }, Meta: { Format: 'int', Type: 'text/plain' }, Data: '15' }] },
  ]);
  const built = roundTrip(m);
  assert.ok(built.includes('<Alert><CmdID>3</CmdID><NoResp/><Cred><Data>x</Data></Cred><Data>1201</Data></Alert>'));
  assert.ok(built.includes('<Exec><CmdID>6</CmdID><Cred>'));
  assert.ok(built.includes('</Cred><Correlator>abc</Correlator><Item>'));
});

test('Atomic and Sequence nest, including Atomic in Atomic (Windows answers it 500, so the codec must write it)', () => {
  roundTrip(
    message([
      {
        kind: 'Atomic', CmdID: '2', Meta: { Type: 'text/plain' },
        commands: [
          { kind: 'Replace', CmdID: '3', Item: [{ Target: { LocURI: './a' }, Data: '1' }] },
          {
            kind: 'Sequence', CmdID: '4', NoResp: true,
            commands: [
              { kind: 'Get', CmdID: '5', Item: [{ Target: { LocURI: './b' } }] },
              { kind: 'Exec', CmdID: '6', Item: [{ Target: { LocURI: './c' } }] },
              { kind: 'Alert', CmdID: '7', Data: '1100', Item: [] },
            ],
          },
          { kind: 'Atomic', CmdID: '8', commands: [{ kind: 'Delete', CmdID: '9', Item: [{ Target: { LocURI: './d' } }] }] },
          { kind: 'Add', CmdID: '10', Item: [{ Target: { LocURI: './e' } }] },
        ],
      },
      { kind: 'Sequence', CmdID: '11', commands: [] },
    ]),
  );
});

test('Results with embedded XML Data keeps the markup verbatim; text Data is escaped and unescaped', () => {
  const xml = '<MgmtTree xmlns="syncml:dmddf1.2"><VerDTD>1.2</VerDTD><Node><NodeName>Poll</NodeName><Data>a &amp; b</Data></Node></MgmtTree>';
  const m = message([
    {
      kind: 'Results', CmdID: '3', MsgRef: '1', CmdRef: '4', Meta: { Format: 'xml', Type: 'text/plain' },
      TargetRef: './Vendor/MSFT/DMClient?list=StructData', SourceRef: 'src',
      Item: [
        { Source: { LocURI: './Vendor/MSFT/DMClient?list=StructData' }, Data: { xml } },
        { Source: { LocURI: './DevDetail/Ext/Microsoft/DeviceName' }, Meta: { Format: 'chr' }, Data: ' <WIN-01> & "Tom\'s" ' },
      ],
    },
    { kind: 'Results', CmdID: '4', CmdRef: '5', Item: [] },
  ]);
  const built = roundTrip(m);
  assert.ok(built.includes(`<Data>${xml}</Data>`));
  assert.ok(built.includes(`<Data> &lt;WIN-01&gt; &amp; "Tom's" </Data>`));
});

test('Items with MoreData (a large object in chunks) and Meta Size/Mark/Version round-trip', () => {
  roundTrip(
    message([
      {
        kind: 'Replace', CmdID: '2',
        Item: [
          { Target: { LocURI: './Vendor/MSFT/Big' }, Meta: { Format: 'b64', Size: '70000', Mark: 'high', Version: '1' }, Data: 'QUJD', MoreData: true },
        ],
      },
    ]),
  );
});

test('build escapes &, < and > in every text element and writes CR as a reference, so it survives parsing', () => {
  const m = message([{ kind: 'Replace', CmdID: '2', Item: [{ Target: { LocURI: './a?b=<1>&c' }, Data: 'line1\r\nline2 ]]> &amp;' }] }]);
  const built = roundTrip(m);
  assert.ok(built.includes('<LocURI>./a?b=&lt;1&gt;&amp;c</LocURI></Target><Data>line1&#13;\nline2 ]]&gt; &amp;amp;</Data>'));
});

test('buildSyncMLBytes is the UTF-8 encoding: Content-Length counts bytes, not characters', () => {
  const m = message([{ kind: 'Replace', CmdID: '2', Item: [{ Target: { LocURI: './a' }, Data: 'Grüße 😀' }] }]);
  const bytes = buildSyncMLBytes(m);
  assert.equal(bytes.byteLength, buildSyncML(m).length + 2 + 2); // ü, ß: +1 each; the emoji: 2 units, 4 bytes
  assert.deepStrictEqual(parseSyncML(bytes), m);
});

test('tolerant where Windows is loose: namespace case, metinf on Meta, indentation, declaration, CRLF, CDATA', () => {
  const loose = [
    '\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n',
    '<!-- from a peer -->\r\n<SyncML xmlns=\'syncml:syncml1.2\'>\r\n  <SyncHdr>\r\n    <VerDTD> 1.2 </VerDTD>\r\n',
    '    <VerProto>DM/1.2</VerProto><SessionID>FF</SessionID><MsgID>2</MsgID>\r\n',
    '    <Target><LocURI>https://h/x</LocURI></Target><Source><LocURI>dev</LocURI><LocName>n</LocName></Source>\r\n',
    '  </SyncHdr>\r\n  <SyncBody>\r\n',
    '    <Results>\r\n      <CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef>\r\n',
    '      <Item>\r\n        <Source><LocURI>./DevDetail/SwV</LocURI></Source>\r\n',
    '        <Meta xmlns="syncml:metinf"><Format xmlns="syncml:metinf">chr</Format><Type>text/plain</Type></Meta>\r\n',
    '        <Data>\r\n          <![CDATA[10.0 <build> & more]]>\r\n        </Data>\r\n      </Item>\r\n',
    '      <Item><Source><LocURI><![CDATA[./a&b]]></LocURI></Source><Data>A&#x42;&#67;&lt;<![CDATA[&amp;]]></Data></Item>\r\n',
    '      <Item><Source><LocURI>./x</LocURI></Source><Data>\r\n  <Node><Data>n</Data></Node>\r\n</Data></Item>\r\n',
    '    </Results>\r\n    <Final />\r\n  </SyncBody>\r\n</SyncML>\r\n',
  ].join('');
  assert.deepStrictEqual(parseSyncML(loose), {
    SyncHdr: {
      VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: 'FF', MsgID: '2',
      Target: { LocURI: 'https://h/x' }, Source: { LocURI: 'dev', LocName: 'n' },
    },
    SyncBody: {
      commands: [
        {
          kind: 'Results', CmdID: '2', MsgRef: '1', CmdRef: '3',
          Item: [
            { Source: { LocURI: './DevDetail/SwV' }, Meta: { Format: 'chr', Type: 'text/plain' }, Data: '10.0 <build> & more' },
            { Source: { LocURI: './a&b' }, Data: 'ABC<&amp;' },
            { Source: { LocURI: './x' }, Data: { xml: '<Node><Data>n</Data></Node>' } },
          ],
        },
      ],
      Final: true,
    },
  });
  // No namespace at all is accepted too; a different one is not (see malformed.test.ts).
  const bare = buildSyncML(message([])).replace(' xmlns="SYNCML:SYNCML1.2"', '');
  assert.deepStrictEqual(parseSyncML(bare), message([]));
});

test('text Data keeps leading and trailing whitespace exactly; a body without Final says so', () => {
  const m: SyncML = { SyncHdr: HDR, SyncBody: { commands: [{ kind: 'Replace', CmdID: '2', Item: [{ Data: '  two spaces\tand a tab\n' }] }], Final: false } };
  const built = roundTrip(m);
  assert.ok(!built.includes('<Final/>'));
});

test('build refuses what no parser could read back, naming the element: a control character, a lone surrogate', () => {
  const control = message([{ kind: 'Replace', CmdID: '4', Item: [{ Target: { LocURI: './a\u0001' } }] }]);
  assert.throws(() => buildSyncML(control), (err: unknown) => {
    assert.ok(err instanceof SyncMLError);
    assert.equal(err.code, 'DMC_ERR_SYNCML_BUILD_INVALID_CHAR');
    assert.equal(err.path, 'SyncBody/Replace[CmdID=4]/Item[1]/Target/LocURI');
    assert.equal(err.message, 'SyncML build: SyncBody/Replace[CmdID=4]/Item[1]/Target/LocURI contains U+0001, which XML 1.0 cannot carry');
    return true;
  });
  const surrogate = message([{ kind: 'Replace', CmdID: '4', Item: [{ Data: 'x\uD800y' }] }]);
  assert.throws(() => buildSyncML(surrogate), { code: 'DMC_ERR_SYNCML_BUILD_INVALID_CHAR', message: /U\+D800 \(lone surrogate\)/ });
});

test('build refuses broken embedded XML, Status inside Atomic, an empty CmdID and NoResp on a Status', () => {
  const brokenXml = message([{ kind: 'Results', CmdID: '2', CmdRef: '1', Item: [{ Data: { xml: '<a><b></a>' } }] }]);
  assert.throws(() => buildSyncML(brokenXml), (err: unknown) => {
    assert.ok(err instanceof SyncMLError);
    assert.equal(err.code, 'DMC_ERR_SYNCML_BUILD_INVALID');
    assert.equal(err.path, 'SyncBody/Results[CmdID=2]/Item[1]/Data');
    assert.match(err.message, /^SyncML build: SyncBody\/Results\[CmdID=2\]\/Item\[1\]\/Data embedded XML must be well-formed element content \(.+\), received "<a><b><\/a>"$/);
    return true;
  });
  const closesData = message([{ kind: 'Results', CmdID: '2', CmdRef: '1', Item: [{ Data: { xml: '</Data><Status/>' } }] }]);
  assert.throws(() => buildSyncML(closesData), { code: 'DMC_ERR_SYNCML_BUILD_INVALID' });

  const statusInAtomic = message([
    { kind: 'Atomic', CmdID: '2', commands: [{ kind: 'Status', CmdID: '3', MsgRef: '1', CmdRef: '1', Cmd: 'Get', TargetRef: [], SourceRef: [], Data: '200', Item: [] } as unknown as Command & { kind: 'Get' }] },
  ]);
  assert.throws(() => buildSyncML(statusInAtomic), {
    code: 'DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED',
    message: 'SyncML SyncBody/Atomic[CmdID=2]/Status: Status is not allowed inside Atomic; allowed: Add, Alert, Atomic, Delete, Exec, Get, Replace, Sequence',
  });
  assert.throws(() => buildSyncML(message([{ kind: 'Get', CmdID: '', Item: [] }])), {
    code: 'DMC_ERR_SYNCML_BUILD_INVALID',
    message: 'SyncML build: SyncBody/Get[CmdID=]/CmdID must be non-empty text, received ""',
  });
  const noResp = message([{ kind: 'Status', CmdID: '3', NoResp: true, MsgRef: '1', CmdRef: '1', Cmd: 'Get', TargetRef: [], SourceRef: [], Data: '200', Item: [] }]);
  assert.throws(() => buildSyncML(noResp), { code: 'DMC_ERR_SYNCML_BUILD_INVALID', message: 'SyncML build: SyncBody/Status[CmdID=3]/NoResp is not allowed in Status, received "true"' });
});

test('white space at the ends of a leaf value survives: build writes it as references, parse trims only indentation', () => {
  const m = message([{ kind: 'Get', CmdID: '2', Item: [{ Target: { LocURI: ' ./a b\t' }, Meta: { Type: '\ntext/plain ' } }] }]);
  const built = roundTrip(m);
  assert.ok(built.includes('<LocURI>&#32;./a b&#9;</LocURI>'), built);
  assert.ok(built.includes('<Type xmlns="syncml:metinf">&#10;text/plain&#32;</Type>'), built);
});

test('a typical server reply is written exactly as Windows expects it, byte for byte', () => {
  const reply: SyncML = {
    SyncHdr: {
      VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '1', MsgID: '1',
      Target: { LocURI: 'B5B954E81FBCB94EB79BD08BE625F4EE' },
      Source: { LocURI: 'https://127.0.0.1:8443/ManagementServer/MDM.svc' },
    },
    SyncBody: {
      commands: [
        { kind: 'Status', CmdID: '1', MsgRef: '1', CmdRef: '0', Cmd: 'SyncHdr', TargetRef: [], SourceRef: [], Data: StatusCode.OK, Item: [] },
        {
          kind: 'Replace', CmdID: '2',
          Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/MDM/Poll/IntervalForFirstSetOfRetries' }, Meta: { Format: 'int' }, Data: '15' }],
        },
      ],
      Final: true,
    },
  };
  assert.equal(
    buildSyncML(reply),
    '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>' +
      '<MsgID>1</MsgID><Target><LocURI>B5B954E81FBCB94EB79BD08BE625F4EE</LocURI></Target>' +
      '<Source><LocURI>https://127.0.0.1:8443/ManagementServer/MDM.svc</LocURI></Source></SyncHdr><SyncBody>' +
      '<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>' +
      '<Replace><CmdID>2</CmdID><Item><Target><LocURI>./Vendor/MSFT/DMClient/Provider/MDM/Poll/IntervalForFirstSetOfRetries</LocURI></Target>' +
      '<Meta><Format xmlns="syncml:metinf">int</Format></Meta><Data>15</Data></Item></Replace><Final/></SyncBody></SyncML>',
  );
});
