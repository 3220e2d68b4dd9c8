/**
 * One HTTP exchange as an endpoint plugin reports it, for transcripts. Plugins report raw bodies; the transcript
 * writer redacts secrets before anything reaches disk.
 */

export interface ExchangeRecord {
  at: string;
  durationMs: number;
  /** The endpoint family: discovery, policy, enrollment, management. */
  endpoint: string;
  /** The device this exchange belongs to, when the request identified it. */
  deviceId: string | undefined;
  /** The OMA-DM SessionID for management exchanges; enrollment exchanges use 'enrollment'. */
  sessionId: string | undefined;
  method: string;
  url: string;
  remoteAddress: string;
  request: { headers: Record<string, string | string[] | undefined>; body: string };
  response: { status: number; headers: Record<string, unknown>; body: string };
  /** The DMC error code that ended the request, if one did. */
  errorCode: string | undefined;
}

export type ExchangeListener = (record: ExchangeRecord) => void;
