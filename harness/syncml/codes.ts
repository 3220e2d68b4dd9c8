/**
 * Status and Alert codes by name. On the wire both are the text of a `<Data>` element, so the constants are the
 * strings a Status.Data or Alert.Data holds and compare directly with what the parser returns.
 *
 * Sources: OMA DM 1.2 Representation Protocol (OMA-TS-DM_RepPro-V1_2), "Response Status Codes" and "Alert Types";
 * Microsoft's "OMA DM protocol support" page ("SyncML response status codes", "DM protocol commands") for what
 * Windows means by each.
 */

export const StatusCode = {
  /** 200 OK: the command completed successfully (RepPro, Successful 2xx). */
  OK: '200',
  /** 202 Accepted for processing: the command runs asynchronously, e.g. an Exec that finishes later (2xx). */
  ACCEPTED_FOR_PROCESSING: '202',
  /** 212 Authentication accepted: no further credentials needed for this session; answers the SyncHdr (2xx). */
  AUTHENTICATION_ACCEPTED: '212',
  /** 213 Chunked item accepted and buffered: one MoreData chunk of a large object arrived (2xx, large objects). */
  CHUNKED_ITEM_ACCEPTED: '213',
  /** 214 Operation cancelled: this command succeeded but no more commands of the session are processed (2xx). */
  OPERATION_CANCELLED: '214',
  /** 215 Not executed: the user declined the command (2xx). */
  NOT_EXECUTED: '215',
  /** 216 Atomic roll back OK: the command was in an Atomic that failed and was rolled back successfully (2xx). */
  ATOMIC_ROLL_BACK_OK: '216',
  /** 400 Bad request: malformed syntax; Windows answers it for an unknown element under SyncBody (4xx). */
  BAD_REQUEST: '400',
  /** 401 Invalid credentials: the Cred was wrong; the Status carries a Chal to retry (4xx). */
  INVALID_CREDENTIALS: '401',
  /** 403 Forbidden: understood, but refused (4xx). */
  FORBIDDEN: '403',
  /** 404 Not found: the target node does not exist (4xx). */
  NOT_FOUND: '404',
  /** 405 Command not allowed: e.g. Replace on a read-only node (4xx). */
  COMMAND_NOT_ALLOWED: '405',
  /** 406 Optional feature not supported: the CSP does not support this node or property (4xx). */
  OPTIONAL_FEATURE_NOT_SUPPORTED: '406',
  /** 407 Missing credentials: authentication is required and none was sent; comes with a Chal (4xx). */
  MISSING_CREDENTIALS: '407',
  /** 415 Unsupported media type or format: wrong Meta.Format/Type, or XML the CSP cannot read (4xx). */
  UNSUPPORTED_MEDIA_TYPE: '415',
  /** 418 Already exists: Add of a node that exists (4xx). */
  ALREADY_EXISTS: '418',
  /** 424 Size mismatch: a large object's chunks did not add up to its Meta.Size (4xx, large objects). */
  SIZE_MISMATCH: '424',
  /** 425 Permission denied: the sender's ACL does not allow the command (4xx). */
  PERMISSION_DENIED: '425',
  /** 500 Command failed: generic failure; Windows also answers it for Get or a nested Atomic inside Atomic (5xx). */
  COMMAND_FAILED: '500',
  /** 507 Atomic failed: an Atomic's command failed, so the whole Atomic did (5xx). */
  ATOMIC_FAILED: '507',
  /** 516 Atomic roll back failed: the command was in a failed Atomic and could not be rolled back (5xx). */
  ATOMIC_ROLL_BACK_FAILED: '516',
} as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export const AlertCode = {
  /** 1100 Display: show a message to the user (RepPro, user interaction alerts). */
  DISPLAY: '1100',
  /** 1101 Continue or abort: ask the user to confirm. */
  CONTINUE_OR_ABORT: '1101',
  /** 1200 Server-initiated management session. */
  SERVER_INITIATED_MGMT: '1200',
  /** 1201 Client-initiated management session: the first command of every Windows session. */
  CLIENT_INITIATED_MGMT: '1201',
  /** 1222 Next message: the sender has more to send in this package (multi-message continuation). */
  NEXT_MESSAGE: '1222',
  /** 1223 Session abort: the sender ends the session now. */
  SESSION_ABORT: '1223',
  /** 1224 Client event (Windows: "device alert"), e.g. Meta.Type com.microsoft/MDM/LoginStatus. */
  CLIENT_EVENT: '1224',
  /** 1225 No end of data: a large object's last chunk never came. */
  NO_END_OF_DATA: '1225',
  /**
   * 1226 Generic alert: Windows sends it for user-initiated unenrollment
   * (Meta.Type com.microsoft:mdm.unenrollment.userrequest) and when a CSP finishes asynchronous work.
   */
  GENERIC_ALERT: '1226',
} as const;
export type AlertCode = (typeof AlertCode)[keyof typeof AlertCode];
