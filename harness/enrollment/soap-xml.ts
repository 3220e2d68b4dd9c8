/**
 * SOAP 1.2 envelopes as the Windows enrollment client sends and reads them (MS-MDE2 2.2, WS-Addressing,
 * WS-Security UsernameToken). Parsing drops namespace prefixes (Windows and servers pick prefixes freely) and
 * validates what the endpoints read with zod; building goes through fast-xml-parser's XMLBuilder so every text
 * and attribute value is escaped.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { errors } from './errors.js';

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  addressing: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wstrust: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  discovery: 'http://schemas.microsoft.com/windows/management/2012/01/enrollment',
  policy: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy',
  enrollment: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollment',
} as const;

/** WS-Addressing Action values (MS-MDE2 3.1.4.1, 3.3.4.1, 3.4.4.1; MS-XCEP 3.1.4.1; MS-WSTEP 3.1.4.1). */
export const ACTIONS = {
  discover: 'http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/Discover',
  discoverResponse:
    'http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/DiscoverResponse',
  getPolicies: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies',
  getPoliciesResponse: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPoliciesResponse',
  requestSecurityToken: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep',
  requestSecurityTokenResponse: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RSTRC/wstep',
} as const;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // AdditionalContext repeats ContextItem (MAC appears several times in the real capture).
  isArray: (name) => name === 'ContextItem',
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  suppressEmptyNode: true,
  // Without this, an attribute whose value is "true" (xsi:nil="true") is written as a bare attribute name.
  suppressBooleanAttributes: false,
  processEntities: true,
  format: false,
});

/** A parsed XML node as fast-xml-parser returns it. */
export type XmlNode = string | { [key: string]: XmlNode | XmlNode[] | undefined };

/** The text content of a parsed node (`<a>x</a>` and `<a attr="1">x</a>` both give "x"). */
export function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
    const text = (node as Record<string, unknown>)['#text'];
    if (typeof text === 'string') return text;
    if (Object.keys(node).every((key) => key.startsWith('@_'))) return '';
  }
  return undefined;
}

const textNode = z.unknown().transform((node, ctx) => {
  const text = textOf(node);
  if (text === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected an element with text content' });
    return z.NEVER;
  }
  return text;
});

const headerSchema = z.object({
  Action: textNode,
  MessageID: textNode,
  To: textNode.optional(),
  Security: z
    .object({
      UsernameToken: z.object({ Username: textNode, Password: textNode.optional() }).optional(),
    })
    .optional(),
});

const envelopeSchema = z.object({
  Envelope: z.object({
    Header: headerSchema,
    Body: z.record(z.string(), z.unknown()),
  }),
});

export interface UsernameToken {
  username: string;
  /** The PasswordText value; undefined when the token has no Password element. */
  password: string | undefined;
}

export interface SoapRequest {
  action: string;
  /** WS-Addressing MessageID, echoed in the answer's RelatesTo. */
  messageId: string;
  to: string | undefined;
  usernameToken: UsernameToken | undefined;
  /** The children of `s:Body`, namespace prefixes removed. */
  body: Record<string, unknown>;
}

/** Reads the MessageID of a body that may be malformed otherwise, so even a fault can echo it in RelatesTo. */
export function sniffMessageId(xml: string): string | undefined {
  try {
    const parsed = parser.parse(xml) as { Envelope?: { Header?: { MessageID?: unknown } } };
    return textOf(parsed.Envelope?.Header?.MessageID);
  } catch {
    return undefined;
  }
}

export function parseSoapRequest(xml: string, endpoint: string): SoapRequest {
  let parsed: unknown;
  try {
    parsed = parser.parse(xml, true);
  } catch (cause) {
    const reason = typeof cause === 'object' && cause !== null && 'err' in cause
      ? JSON.stringify((cause as { err: unknown }).err)
      : String(cause);
    throw errors.DMC_ERR_ENROLLMENT_MALFORMED_SOAP.create({ endpoint, reason: `not well-formed XML (${reason})` });
  }
  if (parsed === true || parsed === null || typeof parsed !== 'object') {
    throw errors.DMC_ERR_ENROLLMENT_MALFORMED_SOAP.create({ endpoint, reason: 'not well-formed XML' });
  }
  const result = envelopeSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('/');
    throw errors.DMC_ERR_ENROLLMENT_MALFORMED_SOAP.create({
      endpoint,
      reason: `${where === '' ? 'Envelope' : where}: ${issue?.message ?? 'invalid'}`,
    });
  }
  const { Header, Body } = result.data.Envelope;
  const token = Header.Security?.UsernameToken;
  return {
    action: Header.Action,
    messageId: Header.MessageID,
    to: Header.To,
    usernameToken: token === undefined ? undefined : { username: token.Username, password: token.Password },
    body: Body,
  };
}

/** An element tree in XMLBuilder's shape: `@_name` keys are attributes, `#text` the text, arrays repeat. */
export type XmlTree = { [key: string]: XmlTree | XmlTree[] | string | number | boolean | undefined };

/** Serialises an element tree; all values are escaped by the builder. */
export function buildXml(tree: XmlTree): string {
  return builder.build(tree) as string;
}

export interface EnvelopeParts {
  action: string;
  relatesTo: string | undefined;
  /** Extra header children after Action and RelatesTo (for example the WSTEP Security timestamp). */
  header?: XmlTree;
  /** The `s:Body` attributes and children. */
  body: XmlTree;
}

/** A SOAP 1.2 answer envelope: Action (mustUnderstand), RelatesTo echoing the request MessageID, then the body. */
export function buildSoapEnvelope(parts: EnvelopeParts): string {
  return buildXml({
    's:Envelope': {
      '@_xmlns:s': NS.soap,
      '@_xmlns:a': NS.addressing,
      '@_xmlns:u': NS.wsu,
      's:Header': {
        'a:Action': { '@_s:mustUnderstand': '1', '#text': parts.action },
        ...(parts.relatesTo === undefined ? {} : { 'a:RelatesTo': parts.relatesTo }),
        ...(parts.header ?? {}),
      },
      's:Body': parts.body,
    },
  });
}
