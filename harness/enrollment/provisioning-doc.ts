/**
 * The wap-provisioningdoc returned in the WSTEP BinarySecurityToken (MS-MDE2 3.4.4.2.1.2): the CA certificate
 * into Root/System, the device certificate into My/User (My/System for device enrollment), the w7 APPLICATION
 * that points the OMA-DM client at the management server with its digest credentials, and the DMClient Provider
 * with its poll schedule.
 */
import { buildXml, type XmlTree } from './soap-xml.js';

/** DMClient CSP Provider/ProviderID/Poll (dmclient-csp.md): the three retry sets the enrollment client schedules. */
export interface PollSchedule {
  IntervalForFirstSetOfRetries: number;
  NumberOfFirstRetries: number;
  IntervalForSecondSetOfRetries: number;
  NumberOfSecondRetries: number;
  IntervalForRemainingScheduledRetries: number;
  NumberOfRemainingScheduledRetries: number;
  PollOnLogin: boolean;
  AllUsersPollOnFirstLogin?: boolean;
}

/** A short first set so a freshly enrolled device comes back quickly, then a slow steady state. */
export const DEFAULT_POLL: PollSchedule = {
  IntervalForFirstSetOfRetries: 3,
  NumberOfFirstRetries: 5,
  IntervalForSecondSetOfRetries: 15,
  NumberOfSecondRetries: 8,
  IntervalForRemainingScheduledRetries: 480,
  NumberOfRemainingScheduledRetries: 0,
  PollOnLogin: true,
};

/** An extra DMClient/Provider/<ProviderID> setting sent at enrollment (e.g. EntDeviceName). */
export interface InitialSetting {
  name: string;
  value: string;
  datatype: 'string' | 'integer' | 'boolean';
}

export interface StoredCertificate {
  /** SHA-1 thumbprint, upper-case hex: Windows names the CertificateStore node after it. */
  thumbprint: string;
  /** The DER certificate, base64. */
  derBase64: string;
}

export interface DigestAccount {
  name: string;
  secret: string;
  /** base64 of the nonce bytes (AAUTHDATA). */
  nonce: string;
}

export interface ProvisioningDocInput {
  ca: StoredCertificate;
  device: StoredCertificate;
  /** Subject DN of the device certificate, as SSLCLIENTCERTSEARCHCRITERIA looks it up. */
  deviceSubject: string;
  enrollmentType: 'Full' | 'Device';
  providerId: string;
  /** APPLICATION NAME: the server name Windows shows in Settings > Access work or school. */
  serverName: string;
  managementUrl: string;
  /** AAUTHLEVEL APPSRV: what the device proves itself with (SyncHdr Cred) (w7 APPLICATION CSP, AAUTHLEVEL: "APPSRV - the client authenticates itself to the OMA DM Server"). */
  clientDigest: DigestAccount;
  /** AAUTHLEVEL CLIENT: what the server proves itself with ("CLIENT - the server authenticates itself to the OMA DM Client"). */
  serverDigest: DigestAccount;
  poll: PollSchedule;
  initialSettings?: InitialSetting[];
}

function parm(name: string, value?: string, datatype?: string): XmlTree {
  return {
    '@_name': name,
    ...(value === undefined ? {} : { '@_value': value }),
    ...(datatype === undefined ? {} : { '@_datatype': datatype }),
  };
}

function certificateStore(store: string, location: string, cert: StoredCertificate, extra: XmlTree = {}): XmlTree {
  return {
    '@_type': 'CertificateStore',
    characteristic: {
      '@_type': store,
      characteristic: {
        '@_type': location,
        characteristic: [
          { '@_type': cert.thumbprint, parm: parm('EncodedCertificate', cert.derBase64) },
          ...(Object.keys(extra).length === 0 ? [] : [extra]),
        ],
      },
    },
  };
}

/** w7 APPLICATION CSP: SSLCLIENTCERTSEARCHCRITERIA is `Subject=<url-encoded DN>&Stores=<url-encoded store>`. */
export function clientCertSearchCriteria(subject: string, enrollmentType: 'Full' | 'Device'): string {
  const store = enrollmentType === 'Device' ? 'My\\System' : 'My\\User';
  return `Subject=${encodeURIComponent(subject)}&Stores=${encodeURIComponent(store)}`;
}

function appauth(level: 'CLIENT' | 'APPSRV', account: DigestAccount): XmlTree {
  return {
    '@_type': 'APPAUTH',
    parm: [
      parm('AAUTHLEVEL', level),
      parm('AAUTHTYPE', 'DIGEST'),
      parm('AAUTHNAME', account.name),
      parm('AAUTHSECRET', account.secret),
      parm('AAUTHDATA', account.nonce),
    ],
  };
}

export function buildProvisioningDoc(input: ProvisioningDocInput): string {
  const poll = input.poll;
  const pollParms: XmlTree[] = [
    parm('IntervalForFirstSetOfRetries', String(poll.IntervalForFirstSetOfRetries), 'integer'),
    parm('NumberOfFirstRetries', String(poll.NumberOfFirstRetries), 'integer'),
    parm('IntervalForSecondSetOfRetries', String(poll.IntervalForSecondSetOfRetries), 'integer'),
    parm('NumberOfSecondRetries', String(poll.NumberOfSecondRetries), 'integer'),
    parm('IntervalForRemainingScheduledRetries', String(poll.IntervalForRemainingScheduledRetries), 'integer'),
    parm('NumberOfRemainingScheduledRetries', String(poll.NumberOfRemainingScheduledRetries), 'integer'),
    parm('PollOnLogin', String(poll.PollOnLogin), 'boolean'),
    ...(poll.AllUsersPollOnFirstLogin === undefined
      ? []
      : [parm('AllUsersPollOnFirstLogin', String(poll.AllUsersPollOnFirstLogin), 'boolean')]),
  ];
  const deviceLocation = input.enrollmentType === 'Device' ? 'System' : 'User';
  return buildXml({
    'wap-provisioningdoc': {
      '@_version': '1.1',
      characteristic: [
        certificateStore('Root', 'System', input.ca),
        // The private key stays in the device's key container: the CSR came from it (MS-MDE2 3.4.4.2.1.2).
        certificateStore('My', deviceLocation, input.device, { '@_type': 'PrivateKeyContainer' }),
        {
          '@_type': 'APPLICATION',
          parm: [
            parm('APPID', 'w7'),
            parm('PROVIDER-ID', input.providerId),
            parm('NAME', input.serverName),
            parm('ADDR', input.managementUrl),
            parm('ROLE', '4294967295'),
            parm('BACKCOMPATRETRYDISABLED'),
            parm('DEFAULTENCODING', 'application/vnd.syncml.dm+xml'),
            parm('SSLCLIENTCERTSEARCHCRITERIA', clientCertSearchCriteria(input.deviceSubject, input.enrollmentType)),
          ],
          characteristic: [appauth('APPSRV', input.clientDigest), appauth('CLIENT', input.serverDigest)],
        },
        {
          '@_type': 'DMClient',
          characteristic: {
            '@_type': 'Provider',
            characteristic: {
              '@_type': input.providerId,
              parm: (input.initialSettings ?? []).map((s) => parm(s.name, s.value, s.datatype)),
              characteristic: { '@_type': 'Poll', parm: pollParms },
            },
          },
        },
      ],
    },
  });
}
