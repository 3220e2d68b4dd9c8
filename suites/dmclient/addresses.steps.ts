/**
 * The preparation of addresses.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts).
 *
 * One chain of sessions, each check's "next session" being the session after the one that changed the
 * addresses; a session that checks one rule also carries the change the next check needs (the session's address
 * is chosen when it starts, so the change applies from the session after). Every session the device starts in a
 * check's window is judged, including the other steps' sessions and the device's own polls: each of them must
 * go to the address under test. The failover session has no other step's commands (`alone`).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { prepare, type CommandDraft, type CommandResult, type ConformanceDevice, type ConformanceMdm, type ExtraEndpoint } from '../../fixtures/conformance.js';
import { code, data } from './support.js';

export const MSA = 'Provider/{ProviderID}/ManagementServiceAddress';
export const LIST = 'Provider/{ProviderID}/ManagementServerAddressList';
export const UPDATE = 'UpdateManagementServiceAddress';
/** Failover waits for the device's own retries on a dead address ("after a specified number of retries"). */
export const FAILOVER_TIMEOUT_MS = 300_000;

/** scheme://host:port/path: what identifies an endpoint (the device may drop or keep the query string). */
export function endpointOf(url: string): string {
  try {
    const u = new URL(url.trim());
    return `${u.protocol}//${u.host}${u.pathname}`.toLowerCase();
  } catch {
    return url.trim().toLowerCase();
  }
}

/** "<URL1><URL2>" or a single URL without brackets (dmclient-csp.md#provider-providerid-managementserveraddresslist). */
export function addressList(urls: string[]): string {
  return urls.map((u) => `<${u}>`).join('');
}

/**
 * Runs a sync and returns, with its results, the Target of the first message of each session from the call up to
 * the session that answered the drafts: the sessions after the previous change, the device's own polls among them.
 * Sessions after the answering one are not counted: they may already follow a change these drafts made.
 */
async function syncSeeing(
  device: ConformanceDevice, mdm: ConformanceMdm, drafts: CommandDraft[], timeout?: number, alone = false, first = false, before?: () => Promise<void>,
): Promise<{ results: CommandResult[]; targets: string[] }> {
  const seen = new Map<string, string>();
  const off = mdm.engine.on('messageIn', (e) => {
    if (e.deviceId === device.deviceId && !seen.has(e.sessionId)) seen.set(e.sessionId, endpointOf(e.message.SyncHdr.Target.LocURI));
  });
  try {
    // With a `before` change, the window starts when the change is made: earlier sessions are judged by the previous rule.
    const start = before === undefined ? {} : { before: async () => { await before(); seen.clear(); } };
    const results = await device.sync(drafts, { ...(timeout === undefined ? {} : { timeout }), alone, first, ...start });
    const order = [...seen.keys()];
    const last = Math.max(...results.map((r) => order.indexOf(r.sessionId)));
    const window = last < 0 ? order : order.slice(0, last + 1);
    // The addresses the sessions went to, each once: a second session to the same address says nothing new; one
    // to another address still shows.
    return { results, targets: [...new Set(window.map((id) => seen.get(id)!))] };
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


export type Seen = { results: CommandResult[]; targets: string[] };

export interface AddressesRun {
  home: string;
  endpoints: Record<'b' | 'c' | 'd' | 'e', string>;
  initial: CommandResult[];
  originalMsa: string | undefined;
  originalList: string | undefined;
  list: { set: CommandResult[]; next: Seen };
  failover: { set: CommandResult; failover: Seen; next: Seen; connectionsToFirst: number };
  changedList: { set: CommandResult; next: Seen };
  /** DMC-ADDR-006, -007, -008: the precondition (list <E><home>), the UpdateManagementServiceAddress Replace, the next session. */
  permutation: { precondition: CommandResult; set: CommandResult; next: Seen };
  subset: { precondition: CommandResult; set: CommandResult; next: Seen };
  newServer: { precondition: CommandResult; set: CommandResult; next: Seen };
}

export const addresses = prepare(
  'addresses/management-server-addresses',
  ['DMC-ADDR-001', 'DMC-ADDR-003', 'DMC-ADDR-004', 'DMC-ADDR-005', 'DMC-ADDR-006', 'DMC-ADDR-007', 'DMC-ADDR-008'],
  async ({ device, mdm }): Promise<AddressesRun> => {
    const home = endpointOf(device.managementUrl);
    const msa = device.node(MSA);
    const list = device.node(LIST);
    const update = device.node(UPDATE);
    const ep: Record<'b' | 'c' | 'd' | 'e', ExtraEndpoint> = { b: await mdm.addEndpoint(), c: await mdm.addEndpoint(), d: await mdm.addEndpoint(), e: await mdm.addEndpoint() };
    const opening = await device.sync([msa.get(), list.get()]);
    const initial = opening.slice(0, 2);
    const originalMsa = data(initial[0]);
    const originalList = data(initial[1]);
    let revived: Awaited<ReturnType<typeof reviveEndpoint>> | undefined;
    let restored = false;
    const restore: CommandDraft[] = [list.replace(originalList !== undefined && originalList !== '' ? originalList : device.managementUrl)];
    if (originalMsa !== undefined) restore.push(msa.replace(originalMsa));
    try {
      // DMC-ADDR-003's change (DMC-ADDR-002 is the serviceAddress step, before the access matrix sets a list).
      const listSet = await device.sync([msa.replace(device.managementUrl), list.replace(addressList([ep.c.url]))]);
      // DMC-ADDR-003 checked; DMC-ADDR-004's list <D><home>.
      const afterList = await syncSeeing(device, mdm, [list.get(), list.replace(addressList([ep.d.url, device.managementUrl]))]);
      // "When the server isn't responding after a specified number of retries, the device tries to use the next
      // server URL in the list." The first address stops answering only when the failover session is about to
      // start: no other step's session may meet a dead address.
      const failover = await syncSeeing(device, mdm, [list.get()], FAILOVER_TIMEOUT_MS, true, false, () => ep.d.stopAnswering());
      revived = await reviveEndpoint(Number(new URL(ep.d.url).port), mdm.port);
      // The cached address checked; DMC-ADDR-005's list <E><home>.
      const cached = await syncSeeing(device, mdm, [list.get(), list.replace(addressList([ep.e.url, device.managementUrl]))], FAILOVER_TIMEOUT_MS);
      const connectionsToFirst = revived.connections();
      // DMC-ADDR-005 checked; DMC-ADDR-006: the list <E><home> again (its precondition), then the permutation.
      const eThenHome = () => list.replace(addressList([ep.e.url, device.managementUrl]));
      const afterChange = await syncSeeing(device, mdm, [list.get(), eThenHome(), update.replace(`${device.managementUrl};${ep.e.url}`)], FAILOVER_TIMEOUT_MS);
      // DMC-ADDR-006 checked; DMC-ADDR-007: precondition, then the subset.
      const afterPermutation = await syncSeeing(device, mdm, [update.get(), eThenHome(), update.replace(device.managementUrl)], FAILOVER_TIMEOUT_MS);
      // DMC-ADDR-007 checked; DMC-ADDR-008: precondition, then a server that is not in the list (B).
      const afterSubset = await syncSeeing(device, mdm, [update.get(), eThenHome(), update.replace(`${ep.b.url};${device.managementUrl}`)], FAILOVER_TIMEOUT_MS);
      // DMC-ADDR-008 checked, and back to the enrolled server: the list to what it was (or just the home URL), the address as it was.
      const afterNewServer = await syncSeeing(device, mdm, [update.get(), ...restore], FAILOVER_TIMEOUT_MS);
      restored = true;
      const first = (x: Seen): Seen => ({ results: x.results.slice(0, 1), targets: x.targets });
      return {
        home,
        endpoints: { b: ep.b.url, c: ep.c.url, d: ep.d.url, e: ep.e.url },
        initial,
        originalMsa,
        originalList,
        list: { set: listSet, next: first(afterList) },
        failover: { set: afterList.results[1]!, failover, next: first(cached), connectionsToFirst },
        changedList: { set: cached.results[1]!, next: first(afterChange) },
        permutation: { precondition: afterChange.results[1]!, set: afterChange.results[2]!, next: first(afterPermutation) },
        subset: { precondition: afterPermutation.results[1]!, set: afterPermutation.results[2]!, next: first(afterSubset) },
        newServer: { precondition: afterSubset.results[1]!, set: afterSubset.results[2]!, next: first(afterNewServer) },
      };
    } finally {
      await revived?.close();
      // A chain broken half-way still leaves the enrollment pointing at its own server for the suites after it.
      if (!restored) await device.sync(restore, { timeout: FAILOVER_TIMEOUT_MS }).catch(() => undefined);
    }
  },
);

export interface ServiceAddressRun {
  originalList: string | undefined;
  /** Absent when a list was set before the run: the address is then ignored. */
  msa?: { set: CommandResult; next: Seen; endpoint: string };
}

/**
 * DMC-ADDR-002, in the access matrix's phase: the matrix sets ManagementServerAddressList to the home URL when the
 * enrollment has none (the DDF gives no Delete to take it away), after which ManagementServiceAddress is ignored.
 * The first session sets the address (after the matrix's reads, so the matrix writes back the enrolled one); the
 * next one, whose address is chosen before the matrix's writes apply, must go to it.
 */
export const serviceAddress = prepare(
  'addresses/management-service-address',
  ['DMC-ADDR-002'],
  async ({ device, mdm }): Promise<ServiceAddressRun> => {
    const msa = device.node(MSA);
    const b = await mdm.addEndpoint();
    // The first session: the address and the list read, then the new address (after the matrix's reads: its module
    // sorts first, so its drafts come first in the first shared session).
    const [original, originalListRead, set] = await device.sync([msa.get(), device.node(LIST).get(), msa.replace(b.url)]);
    const originalList = data(originalListRead);
    const back = data(original) === undefined ? [] : [msa.replace(data(original)!)];
    // The next session: its Get and the address put back go before the matrix's writes (which set a list).
    const next = await syncSeeing(device, mdm, [msa.get(), ...back], undefined, false, true);
    if (originalList !== undefined && originalList !== '') return { originalList };
    return { originalList, msa: { set: set!, next: { results: next.results.slice(0, 1), targets: next.targets }, endpoint: b.url } };
  },
  { phase: 0 },
);

export const steps = [serviceAddress, addresses];
