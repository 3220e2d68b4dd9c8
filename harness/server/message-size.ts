/**
 * The smallest cap on the SyncML messages the server sends (`maxMsgSize` of start-server.ts, the inventory's
 * `harness.maxMsgSize`). A reply carries the SyncHdr and a Status for each command of
 * the device's message (Windows opens with four: about 1 KB of reply) before any command of ours; below this, little
 * room is left for them, and a command that fits no message fails its sync (DMC_ERR_SESSION_COMMAND_TOO_LARGE).
 * Kept apart from start-server.ts so the inventory's schema can name it without loading the server.
 */
export const MIN_MAX_MSG_SIZE = 4096;
