/**
 * The supported operations the DMClient CSP reference (dmclient-csp.md, "Supported operation(s) ...") gives per
 * node, by catalogue path below the CSP root, copied as data from the project's protocol reference. The access
 * matrix is driven by the DDF; where this table says otherwise, the test carries a spec-conflict annotation and the
 * expectation files decide per Windows build (DESIGN.md, "Two encodings of the reference"). Nodes the reference
 * gives no operations for are absent.
 */
const GET = 'Get';
const GR = 'Get,Replace';
const ADGR = 'Add,Delete,Get,Replace';

const P = 'Provider/{ProviderID}';
const FIRST_SYNC = [
  'ExpectedPolicies', 'ExpectedNetworkProfiles', 'ExpectedMSIAppPackages', 'ExpectedModernAppPackages', 'ExpectedPFXCerts', 'ExpectedSCEPCerts',
].map((n): [string, string] => [`${P}/FirstSyncStatus/${n}`, ADGR]);
const FIRST_SYNC_GR = [
  'TimeOutUntilSyncFailure', 'ServerHasFinishedProvisioning', 'IsSyncDone', 'WasDeviceSuccessfullyProvisioned', 'BlockInStatusPage',
  'AllowCollectLogsButton', 'SkipDeviceStatusPage', 'SkipUserStatusPage',
].map((n): [string, string] => [`${P}/FirstSyncStatus/${n}`, GR]);

export const REFERENCE_OPERATIONS: ReadonlyMap<string, string> = new Map<string, string>([
  ['HWDevID', GET],
  ['Provider', GET],
  [P, 'Add,Get'],
  [`${P}/EntDeviceName`, 'Add,Get'],
  [`${P}/EntDMID`, 'Add,Get'],
  [`${P}/ExchangeID`, GET],
  [`${P}/SignedEntDMID`, GET],
  [`${P}/CertRenewTimeStamp`, GET],
  [`${P}/ManagementServiceAddress`, 'Add,Get,Replace'],
  [`${P}/UPN`, GR],
  [`${P}/HelpPhoneNumber`, 'Delete,Get,Replace'],
  [`${P}/HelpWebsite`, 'Delete,Get,Replace'],
  [`${P}/HelpEmailAddress`, 'Delete,Get,Replace'],
  [`${P}/RequireMessageSigning`, 'Delete,Get,Replace'],
  [`${P}/SyncApplicationVersion`, 'Delete,Get,Replace'],
  [`${P}/MaxSyncApplicationVersion`, GET],
  [`${P}/Unenroll`, 'Exec,Get'],
  [`${P}/AADDeviceID`, GET],
  [`${P}/EnrollmentType`, GET],
  [`${P}/HWDevID`, GET],
  [`${P}/CommercialID`, ADGR],
  [`${P}/ManagementServerAddressList`, GR],
  [`${P}/ManagementServerToUpgradeTo`, ADGR],
  [`${P}/NumberOfDaysAfterLostContactToUnenroll`, ADGR],
  [`${P}/AADSendDeviceToken`, ADGR],
  [`${P}/Poll`, 'Add,Get'],
  ...['IntervalForFirstSetOfRetries', 'NumberOfFirstRetries', 'IntervalForSecondSetOfRetries', 'NumberOfSecondRetries',
    'IntervalForRemainingScheduledRetries', 'NumberOfRemainingScheduledRetries'].map((n): [string, string] => [`${P}/Poll/${n}`, GR]),
  [`${P}/Poll/PollOnLogin`, 'Add,Get,Replace'],
  [`${P}/Poll/AllUsersPollOnFirstLogin`, 'Add,Get,Replace'],
  [`${P}/Recovery/AllowRecovery`, ADGR],
  [`${P}/Recovery/RecoveryStatus`, GET],
  [`${P}/Recovery/InitiateRecovery`, 'Exec'],
  [`${P}/MultipleSession/NumAllowedConcurrentUserSessionForBackgroundSync`, ADGR],
  [`${P}/MultipleSession/NumAllowedConcurrentUserSessionAtUserLogonSync`, ADGR],
  [`${P}/MultipleSession/IntervalForScheduledRetriesForUserSession`, GR],
  [`${P}/MultipleSession/NumberOfScheduledRetriesForUserSession`, GR],
  [`${P}/ConfigLock/Lock`, 'Add,Delete,Get'],
  [`${P}/ConfigLock/UnlockDuration`, 'Add,Delete,Get'],
  [`${P}/ConfigLock/SecureCore`, GET],
  [`${P}/Push`, 'Add,Delete'],
  [`${P}/Push/PFN`, 'Add,Get,Replace'],
  [`${P}/Push/ChannelURI`, GET],
  [`${P}/Push/Status`, GET],
  [`${P}/CustomEnrollmentCompletePage`, 'Add,Delete,Get'],
  ...['Title', 'BodyText', 'HyperlinkHref', 'HyperlinkText'].map((n): [string, string] => [`${P}/CustomEnrollmentCompletePage/${n}`, ADGR]),
  ...FIRST_SYNC,
  ...FIRST_SYNC_GR,
  [`${P}/FirstSyncStatus/CustomErrorText`, ADGR],
  [`${P}/EnhancedAppLayerSecurity`, GET],
  ...['SecurityMode', 'UseCertIfRevocationCheckOffline', 'Cert0', 'Cert1'].map((n): [string, string] => [`${P}/EnhancedAppLayerSecurity/${n}`, ADGR]),
]);

/** Conflicts other than the operations, by node: the value type. */
const OTHER_CONFLICTS = new Map<string, string>([
  [`${P}/ForceAadToken`, 'value type: DDF DFFormat bool with AllowedValues 0, 1, 2; reference "The value type is integer/enum"'],
]);

export function otherConflicts(relativePath: string): string[] {
  const c = OTHER_CONFLICTS.get(relativePath);
  return c === undefined ? [] : [c];
}

/** `undefined` when the DDF's operations (Copy aside) equal the reference's, else the conflict as annotated. */
export function operationConflict(relativePath: string, ddfAccess: readonly string[]): string | undefined {
  const reference = REFERENCE_OPERATIONS.get(relativePath);
  if (reference === undefined) return undefined;
  const ddf = ddfAccess.filter((a) => a !== 'Copy').sort().join(',');
  const ref = reference.split(',').sort().join(',');
  return ddf === ref ? undefined : `supported operations: DDF ${ddf}; reference ${ref}`;
}
