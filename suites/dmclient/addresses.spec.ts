/**
 * Where the device sends its sessions (dmclient-csp.md): ManagementServiceAddress, ManagementServerAddressList
 * (which wins when set), failover down the list and the cached address, a changed list starting from its first
 * entry, and UpdateManagementServiceAddress (a permutation or subset of the list, never a new server).
 *
 * Which address a session went to is read from the device's first message of the session: SyncHdr.Target.LocURI
 * is the server URL the device is talking to (the reference's own keep-alive example, and the real Windows capture).
 * The extra addresses are endpoints of the same harness server (`mdm.addEndpoint()`), so every session is served.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { conformance, expect, skipNotApplicable, type CommandDraft, type CommandResult, type ConformanceDevice, type ConformanceMdm, type ExtraEndpoint } from '../../fixtures/conformance.js';
import { code, data, isFailure } from './support.js';

const MSA = 'Provider/{ProviderID}/ManagementServiceAddress';
const LIST = 'Provider/{ProviderID}/ManagementServerAddressList';
const UPDATE = 'UpdateManagementServiceAddress';
/** Failover waits for the device's own retries on a dead address ("after a specified number of retries"). */
const FAILOVER_TIMEOUT_MS = 300_000;

/** scheme://host:port/path: what identifies an endpoint (the device may drop or keep the query string). */
function endpointOf(url: string): string {
  try {
    const u = new URL(url.trim());
    return `${u.protocol}//${u.host}${u.pathname}`.toLowerCase();
  } catch {
    return url.trim().toLowerCase();
  }
}

/** "<URL1><URL2>" or a single URL without brackets (dmclient-csp.md#provider-providerid-managementserveraddresslist). */
function addressList(urls: string[]): string {
  return urls.map((u) => `<${u}>`).join('');
}

/** Runs a sync and returns, with its results, the Target of the first message of each session it took. */
async function syncSeeing(device: ConformanceDevice, mdm: ConformanceMdm, drafts: CommandDraft[], timeout?: number): Promise<{ results: CommandResult[]; targets: string[] }> {
  const seen = new Map<string, string>();
  const off = mdm.engine.on('messageIn', (e) => {
    if (e.deviceId === device.deviceId && !seen.has(e.sessionId)) seen.set(e.sessionId, endpointOf(e.message.SyncHdr.Target.LocURI));
  });
  try {
    const results = await device.sync(drafts, timeout === undefined ? {} : { timeout });
    // The addresses the sessions went to, each once: the device may also poll on its own schedule while the sync
    // waits, and a second session to the same address says nothing new; one to another address still shows.
    return { results, targets: [...new Set(seen.values())] };
  } finally {
    off();
  }
}

/** A relay on a fixed loopback port in front of the server: brings a dead endpoint's address back, counting connections. */
async function reviveEndpoint(port: number, serverPort: number): Promise<{ connections(): number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const relay: Server = createServer((client) => {
    count += 1;
    const upstream = connect({ host: '127.0.0.1', port: serverPort });
    sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        relay.close(() => resolve());
      }),
  };
}

conformance.describe('Management server addresses', () => {
  let originalMsa: string | undefined;
  let originalList: string | undefined;
  let home: string;
  let endpoints: Record<'b' | 'c' | 'd' | 'e', ExtraEndpoint>;
  let revived: Awaited<ReturnType<typeof reviveEndpoint>> | undefined;
  let initial: CommandResult[];

  conformance.beforeAll(async ({ device, mdm }) => {
    home = endpointOf(device.managementUrl);
    initial = await device.sync([device.node(MSA).get(), device.node(LIST).get()]);
    originalMsa = data(initial[0]);
    originalList = data(initial[1]);
    endpoints = { b: await mdm.addEndpoint(), c: await mdm.addEndpoint(), d: await mdm.addEndpoint(), e: await mdm.addEndpoint() };
  });

  conformance.afterAll(async ({ device }) => {
    await revived?.close();
    // Back to the enrolled server: the list to what it was (or just the home URL), the address as it was.
    const drafts: CommandDraft[] = [device.node(LIST).replace(originalList !== undefined && originalList !== '' ? originalList : device.managementUrl)];
    if (originalMsa !== undefined) drafts.push(device.node(MSA).replace(originalMsa));
    await device.sync(drafts, { timeout: FAILOVER_TIMEOUT_MS });
  });

  conformance(
    {
      id: 'DMC-ADDR-001',
      title: 'ManagementServiceAddress starts as the address the device was enrolled with',
      group: 'addresses',
      nodes: [MSA],
      reference: 'provider-providerid-managementserviceaddress',
    },
    async () => {
      // "The initial value for this node is the same server address value as bootstrapped using the w7 APPLICATION
      // configuration service provider." A list "<URL1><URL2>" is allowed; its first entry is the one used.
      expect(code(initial[0])).toBe('200');
      const first = /^<([^>]*)>/.exec(originalMsa ?? '')?.[1] ?? originalMsa ?? '';
      expect(endpointOf(first)).toBe(home);
    },
  );

  conformance(
    {
      id: 'DMC-ADDR-002',
      title: 'a new ManagementServiceAddress is used from the next session',
      group: 'addresses',
      nodes: [MSA, LIST],
      reference: 'provider-providerid-managementserviceaddress',
    },
    async ({ device, mdm }, testInfo) => {
      if (originalList !== undefined && originalList !== '') {
        // "When the ManagementServerAddressList value is set, the device ignores the value."
        skipNotApplicable(testInfo, `ManagementServerAddressList is already set on this enrollment (${originalList}), so ManagementServiceAddress is ignored`);
      }
      const { results } = await syncSeeing(device, mdm, [device.node(MSA).replace(endpoints.b.url)]);
      expect(code(results[0]), 'Replace ManagementServiceAddress').toBe('200');
      // "It can be updated during an OMA DM session by the management server. It allows the server to load balance
      // to another server".
      const next = await syncSeeing(device, mdm, [device.node(MSA).get()]);
      expect(next.targets, 'server address of the next session').toEqual([endpointOf(endpoints.b.url)]);
      expect(endpointOf(data(next.results[0]) ?? '')).toBe(endpointOf(endpoints.b.url));
    },
  );

  conformance(
    {
      id: 'DMC-ADDR-003',
      title: 'ManagementServerAddressList wins over ManagementServiceAddress',
      group: 'addresses',
      nodes: [LIST, MSA],
      reference: 'provider-providerid-managementserveraddresslist',
    },
    async ({ device, mdm }) => {
      // "If ManagementServerAddressList node is set, the device will only use the server URL configured in this node
      // and ignore the ManagementServiceAddress value."
      const { results } = await syncSeeing(device, mdm, [device.node(MSA).replace(device.managementUrl), device.node(LIST).replace(addressList([endpoints.c.url]))]);
      expect(results.map(code), 'Replace ManagementServiceAddress, Replace ManagementServerAddressList').toEqual(['200', '200']);
      const next = await syncSeeing(device, mdm, [device.node(LIST).get()]);
      expect(next.targets, 'server address of the next session').toEqual([endpointOf(endpoints.c.url)]);
      expect(data(next.results[0])).toBe(addressList([endpoints.c.url]));
    },
  );

  conformance(
    {
      id: 'DMC-ADDR-004',
      title: 'failover: the first address stops answering, the device moves down the list and keeps the one that worked',
      group: 'addresses',
      nodes: [LIST],
      reference: 'provider-providerid-managementserveraddresslist',
    },
    async ({ device, mdm }, testInfo) => {
      testInfo.setTimeout(testInfo.timeout + 2 * FAILOVER_TIMEOUT_MS);
      const set = await syncSeeing(device, mdm, [device.node(LIST).replace(addressList([endpoints.d.url, device.managementUrl]))]);
      expect(code(set.results[0]), 'Replace ManagementServerAddressList').toBe('200');
      await endpoints.d.stopAnswering();
      // "When the server isn't responding after a specified number of retries, the device tries to use the next
      // server URL in the list. It keeps trying until it gets a successful connection."
      const failover = await syncSeeing(device, mdm, [device.node(LIST).get()], FAILOVER_TIMEOUT_MS);
      expect(code(failover.results[0])).toBe('200');
      expect(failover.targets, 'sessions served after the first address died').toEqual([home]);
      // "The DM client should cache the successfully connected server URL for the next session": even with the
      // first address answering again, the next session goes to the one that worked.
      revived = await reviveEndpoint(Number(new URL(endpoints.d.url).port), mdm.port);
      const next = await syncSeeing(device, mdm, [device.node(LIST).get()], FAILOVER_TIMEOUT_MS);
      expect(next.targets, 'server address of the session after the failover').toEqual([home]);
      expect(revived.connections(), 'connections to the first address after the failover').toBe(0);
    },
  );

  conformance(
    {
      id: 'DMC-ADDR-005',
      title: 'a changed list is used from its first entry at the next session',
      group: 'addresses',
      nodes: [LIST],
      reference: 'provider-providerid-managementserveraddresslist',
    },
    async ({ device, mdm }) => {
      // "After the server list is updated, the client uses the updated list at the next session starting with the
      // first one in the list."
      const set = await syncSeeing(device, mdm, [device.node(LIST).replace(addressList([endpoints.e.url, device.managementUrl]))], FAILOVER_TIMEOUT_MS);
      expect(code(set.results[0]), 'Replace ManagementServerAddressList').toBe('200');
      const next = await syncSeeing(device, mdm, [device.node(LIST).get()]);
      expect(next.targets, 'server address of the next session').toEqual([endpointOf(endpoints.e.url)]);
    },
  );

  /** Precondition of the UpdateManagementServiceAddress checks: the list is <E><home>. */
  async function listEThenHome(device: ConformanceDevice, mdm: ConformanceMdm): Promise<void> {
    const set = await syncSeeing(device, mdm, [device.node(LIST).replace(addressList([endpoints.e.url, device.managementUrl]))], FAILOVER_TIMEOUT_MS);
    expect(code(set.results[0]), 'precondition: Replace ManagementServerAddressList <E><home>').toBe('200');
  }
  const updateConflict = 'reference: "For provisioning packages only"; DDF: UpdateManagementServiceAddress has AccessType Get, Replace (reachable over OMA-DM)';

  conformance(
    {
      id: 'DMC-ADDR-006',
      title: 'UpdateManagementServiceAddress takes a permutation of the list; its first server is used next',
      group: 'addresses',
      nodes: [UPDATE, LIST],
      reference: 'updatemanagementserviceaddress',
      specConflict: updateConflict,
    },
    async ({ device, mdm }) => {
      await listEThenHome(device, mdm);
      // "The list can be a permutation or a subset of the existing server list."
      const set = await syncSeeing(device, mdm, [device.node(UPDATE).replace(`${device.managementUrl};${endpoints.e.url}`)]);
      expect(code(set.results[0]), 'Replace UpdateManagementServiceAddress (permutation)').toBe('200');
      // "The first server in the semicolon-delimited list is the server that will be used to instantiate MDM sessions."
      const next = await syncSeeing(device, mdm, [device.node(UPDATE).get()]);
      expect(next.targets, 'server address of the next session').toEqual([home]);
    },
  );

  conformance(
    {
      id: 'DMC-ADDR-007',
      title: 'UpdateManagementServiceAddress takes a subset of the list',
      group: 'addresses',
      nodes: [UPDATE, LIST],
      reference: 'updatemanagementserviceaddress',
      specConflict: updateConflict,
    },
    async ({ device, mdm }) => {
      await listEThenHome(device, mdm);
      const set = await syncSeeing(device, mdm, [device.node(UPDATE).replace(device.managementUrl)]);
      expect(code(set.results[0]), 'Replace UpdateManagementServiceAddress (subset)').toBe('200');
      const next = await syncSeeing(device, mdm, [device.node(UPDATE).get()]);
      expect(next.targets, 'server address of the next session').toEqual([home]);
    },
  );

  conformance(
    {
      id: 'DMC-ADDR-008',
      title: 'UpdateManagementServiceAddress refuses a server that is not in the list, and the list stays',
      group: 'addresses',
      nodes: [UPDATE, LIST],
      reference: 'updatemanagementserviceaddress',
      specConflict: updateConflict,
    },
    async ({ device, mdm }) => {
      await listEThenHome(device, mdm);
      // "You can't add new servers to the list using this node." Endpoint B was never in the list.
      const set = await syncSeeing(device, mdm, [device.node(UPDATE).replace(`${endpoints.b.url};${device.managementUrl}`)]);
      expect(isFailure(set.results[0]), `Replace with a new server answered ${code(set.results[0])}`).toBe(true);
      // The list is still <E><home>, so the next session goes to E, not to B.
      const next = await syncSeeing(device, mdm, [device.node(UPDATE).get()]);
      expect(next.targets, 'server address of the next session').toEqual([endpointOf(endpoints.e.url)]);
    },
  );
});
