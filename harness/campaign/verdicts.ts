/**
 * What an answer to a campaign input counts as. The closed set:
 * - accepted: a 2xx the endpoint would give a good message (a SyncML reply, a SOAP answer);
 * - refused: the server said no AND named what was wrong: a SyncML SyncHdr Status carrying the DMC_ERR_* code,
 *   a 401/407 SyncHdr Status with Chal (the OMA DM way to refuse credentials), a JSON {code} when no SyncHdr could be
 *   read, or a SOAP fault with an MS-MDE2 subcode and a reason;
 * - unnamed: a refusal that does not say why, or a connection the server dropped without an answer;
 * - server error: a 5xx that is the server's own failure (500 SyncML/JSON, s:InternalServiceFault, a bare 5xx);
 * - hang: no answer within the hang limit (http-probe.ts: 5 s in `npm run fuzz`).
 *
 * SOAP 1.2 (part 2, 7.5.1.2) sends every env:Receiver fault with HTTP 500, and MS-MDE2 2.2.10 faults are
 * s:Receiver: an authentication or certificate-request fault at HTTP 500 is the protocol's refusal, not a server
 * error. Only s:InternalServiceFault (the harness's own failure) counts as a 5xx.
 */
import type { Outcome } from './http-probe.js';

export type Verdict = 'accepted' | 'refused' | 'unnamed' | 'serverError' | 'hang';

export interface Judged {
  verdict: Verdict;
  /** What named the refusal (DMC_ERR_* code, SyncML status, SOAP subcode), or why it counts as unnamed. */
  detail: string;
}

const DMC_CODE = /DMC_ERR_[A-Z0-9_]+/;

function syncHdrStatus(body: string): { code: string; item: string | undefined; chal: boolean } | undefined {
  const status = /<Status>(?:(?!<\/Status>).)*?<Cmd>SyncHdr<\/Cmd>(?:(?!<\/Status>).)*<\/Status>/s.exec(body)?.[0];
  if (status === undefined) return undefined;
  const withoutItem = status.replace(/<Item>.*?<\/Item>/gs, '').replace(/<Chal>.*?<\/Chal>/gs, '');
  const code = /<Data>(\d{3})<\/Data>/.exec(withoutItem)?.[1];
  if (code === undefined) return undefined;
  return { code, item: DMC_CODE.exec(status)?.[0], chal: status.includes('<Chal>') };
}

export function judgeSyncML(outcome: Outcome): Judged {
  if (outcome.kind === 'hang') return { verdict: 'hang', detail: `no answer in ${outcome.ms} ms` };
  if (outcome.kind === 'dropped') return { verdict: 'unnamed', detail: `connection dropped: ${outcome.error}` };
  const { status, body } = outcome;
  const hdr = syncHdrStatus(body);
  if (status >= 500) return { verdict: 'serverError', detail: `HTTP ${status} ${DMC_CODE.exec(body)?.[0] ?? body.slice(0, 120)}` };
  if (status === 200) {
    if (hdr === undefined) return { verdict: 'unnamed', detail: 'HTTP 200 without a SyncHdr Status' };
    if ((hdr.code === '401' || hdr.code === '407') && hdr.chal) return { verdict: 'refused', detail: `SyncHdr Status ${hdr.code} with Chal` };
    if (hdr.code === '200' || hdr.code === '212') return { verdict: 'accepted', detail: `SyncHdr Status ${hdr.code}` };
    return hdr.item !== undefined
      ? { verdict: 'refused', detail: `SyncHdr Status ${hdr.code} ${hdr.item}` }
      : { verdict: 'unnamed', detail: `HTTP 200, SyncHdr Status ${hdr.code} without a reason` };
  }
  if (hdr !== undefined && hdr.item !== undefined) return { verdict: 'refused', detail: `HTTP ${status} ${hdr.item}` };
  try {
    const json = JSON.parse(body) as { code?: unknown; message?: unknown };
    if (typeof json.code === 'string' && DMC_CODE.test(json.code) && typeof json.message === 'string' && json.message !== '') {
      return { verdict: 'refused', detail: `HTTP ${status} ${json.code}` };
    }
  } catch {
    // not JSON: falls through to unnamed
  }
  return { verdict: 'unnamed', detail: `HTTP ${status} without a SyncML or JSON error: ${body.slice(0, 120)}` };
}

function soapFault(body: string): { subcode: string; reason: string } | undefined {
  if (!/<s:Fault>/.test(body)) return undefined;
  const subcode = /<s:Subcode>\s*<s:Value>([^<]+)<\/s:Value>/.exec(body)?.[1];
  const reason = /<s:Text[^>]*>([^<]*)<\/s:Text>/.exec(body)?.[1];
  if (subcode === undefined || reason === undefined || reason.trim() === '') return undefined;
  return { subcode, reason };
}

export function judgeSoap(outcome: Outcome): Judged {
  if (outcome.kind === 'hang') return { verdict: 'hang', detail: `no answer in ${outcome.ms} ms` };
  if (outcome.kind === 'dropped') return { verdict: 'unnamed', detail: `connection dropped: ${outcome.error}` };
  const { status, body } = outcome;
  const fault = soapFault(body);
  if (status >= 200 && status < 300) {
    return fault === undefined && /<s:Envelope/.test(body)
      ? { verdict: 'accepted', detail: `HTTP ${status}` }
      : { verdict: 'unnamed', detail: `HTTP ${status} without a SOAP answer` };
  }
  if (fault === undefined) {
    return status >= 500
      ? { verdict: 'serverError', detail: `HTTP ${status} without a SOAP fault: ${body.slice(0, 120)}` }
      : { verdict: 'unnamed', detail: `HTTP ${status} without a SOAP fault: ${body.slice(0, 120)}` };
  }
  if (fault.subcode === 's:InternalServiceFault' || (status >= 500 && status !== 500)) {
    return { verdict: 'serverError', detail: `HTTP ${status} ${fault.subcode}: ${fault.reason.slice(0, 160)}` };
  }
  return { verdict: 'refused', detail: `HTTP ${status} ${fault.subcode}: ${fault.reason.slice(0, 160)}` };
}
