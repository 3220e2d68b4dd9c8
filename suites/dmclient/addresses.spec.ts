/**
 * Where the device sends its sessions (dmclient-csp.md): ManagementServiceAddress, ManagementServerAddressList
 * (which wins when set), failover down the list and the cached address, a changed list starting from its first
 * entry, and UpdateManagementServiceAddress (a permutation or subset of the list, never a new server).
 *
 * Which address a session went to is read from the device's first message of the session: SyncHdr.Target.LocURI
 * is the server URL the device is talking to (the reference's own keep-alive example, and the real Windows capture).
 * The extra addresses are endpoints of the same harness server (`mdm.addEndpoint()`), so every session is served.
 * The sessions are prepared by addresses.steps.ts, with the other suites' steps.
 */
import { conformance, expect, skipNotApplicable } from '../../fixtures/conformance.js';
import { code, data, isFailure } from './support.js';
import { addresses, addressList, endpointOf, LIST, MSA, serviceAddress, UPDATE } from './addresses.steps.js';

conformance.describe('Management server addresses', () => {
  conformance(
    {
      id: 'DMC-ADDR-001',
      title: 'ManagementServiceAddress starts as the address the device was enrolled with',
      group: 'addresses',
      nodes: [MSA],
      reference: 'provider-providerid-managementserviceaddress',
    },
    async ({ device }) => {
      const { initial, originalMsa, home } = await device.prepared(addresses);
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
    async ({ device }, testInfo) => {
      const { originalList, msa } = await device.prepared(serviceAddress);
      if (msa === undefined) {
        // "When the ManagementServerAddressList value is set, the device ignores the value."
        skipNotApplicable(testInfo, `ManagementServerAddressList is already set on this enrollment (${originalList}), so ManagementServiceAddress is ignored`);
      }
      expect(code(msa.set), 'Replace ManagementServiceAddress').toBe('200');
      // "It can be updated during an OMA DM session by the management server. It allows the server to load balance
      // to another server".
      expect(msa.next.targets, 'server address of the next session').toEqual([endpointOf(msa.endpoint)]);
      expect(endpointOf(data(msa.next.results[0]) ?? '')).toBe(endpointOf(msa.endpoint));
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
    async ({ device }) => {
      const { list, endpoints } = await device.prepared(addresses);
      // "If ManagementServerAddressList node is set, the device will only use the server URL configured in this node
      // and ignore the ManagementServiceAddress value."
      expect(list.set.map(code), 'Replace ManagementServiceAddress, Replace ManagementServerAddressList').toEqual(['200', '200']);
      expect(list.next.targets, 'server address of the next session').toEqual([endpointOf(endpoints.c)]);
      expect(data(list.next.results[0])).toBe(addressList([endpoints.c]));
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
    async ({ device }) => {
      const { failover, home } = await device.prepared(addresses);
      expect(code(failover.set), 'Replace ManagementServerAddressList').toBe('200');
      // "When the server isn't responding after a specified number of retries, the device tries to use the next
      // server URL in the list. It keeps trying until it gets a successful connection."
      expect(code(failover.failover.results[0])).toBe('200');
      expect(failover.failover.targets, 'sessions served after the first address died').toEqual([home]);
      // "The DM client should cache the successfully connected server URL for the next session": even with the
      // first address answering again, the next session goes to the one that worked.
      expect(failover.next.targets, 'server address of the session after the failover').toEqual([home]);
      expect(failover.connectionsToFirst, 'connections to the first address after the failover').toBe(0);
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
    async ({ device }) => {
      const { changedList, endpoints } = await device.prepared(addresses);
      // "After the server list is updated, the client uses the updated list at the next session starting with the
      // first one in the list."
      expect(code(changedList.set), 'Replace ManagementServerAddressList').toBe('200');
      expect(changedList.next.targets, 'server address of the next session').toEqual([endpointOf(endpoints.e)]);
    },
  );

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
    async ({ device }) => {
      const { permutation, home } = await device.prepared(addresses);
      expect(code(permutation.precondition), 'precondition: Replace ManagementServerAddressList <E><home>').toBe('200');
      // "The list can be a permutation or a subset of the existing server list."
      expect(code(permutation.set), 'Replace UpdateManagementServiceAddress (permutation)').toBe('200');
      // "The first server in the semicolon-delimited list is the server that will be used to instantiate MDM sessions."
      expect(permutation.next.targets, 'server address of the next session').toEqual([home]);
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
    async ({ device }) => {
      const { subset, home } = await device.prepared(addresses);
      expect(code(subset.precondition), 'precondition: Replace ManagementServerAddressList <E><home>').toBe('200');
      expect(code(subset.set), 'Replace UpdateManagementServiceAddress (subset)').toBe('200');
      expect(subset.next.targets, 'server address of the next session').toEqual([home]);
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
    async ({ device }) => {
      const { newServer, endpoints } = await device.prepared(addresses);
      expect(code(newServer.precondition), 'precondition: Replace ManagementServerAddressList <E><home>').toBe('200');
      // "You can't add new servers to the list using this node." Endpoint B was never in the list.
      expect(isFailure(newServer.set), `Replace with a new server answered ${code(newServer.set)}`).toBe(true);
      // The list is still <E><home>, so the next session goes to E, not to B.
      expect(newServer.next.targets, 'server address of the next session').toEqual([endpointOf(endpoints.e)]);
    },
  );
});
