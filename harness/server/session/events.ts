/**
 * What the engine tells the HTTP layer, transcripts and reports. Listeners run synchronously inside handle();
 * a listener that throws is the listener's bug, so the engine reports it on `listenerError` and carries on.
 */
import type { DmcError } from '../../errors.js';
import type { SyncML } from '../../syncml/types.js';
import type { CommandResult } from './delivery.js';
import type { SessionSummary } from './draft-schema.js';

export interface DeviceAlert {
  deviceId: string;
  sessionId: string;
  /** Alert.Data, e.g. "1224". */
  code: string;
  /** Item.Meta.Type of each item (empty string when absent). */
  types: string[];
  /** Item.Data of each item. */
  data: string[];
  at: string;
}

export interface SessionEvents {
  sessionStarted: { deviceId: string; sessionId: string; at: string };
  messageIn: { deviceId: string; sessionId: string; msgId: string; message: SyncML; at: string };
  messageOut: { deviceId: string; sessionId: string; msgId: string; message: SyncML; final: boolean; at: string };
  sessionEnded: { deviceId: string; summary: SessionSummary };
  protocolError: { deviceId: string; sessionId: string; error: DmcError };
  alert: DeviceAlert;
  /** Alert 1226 with an unenrollment Meta.Type: the device left management. */
  unenrollment: DeviceAlert;
  /** A queued command got everything it will get from the device. */
  commandSettled: { deviceId: string; result: CommandResult };
  /** A queued command that can never reach the device (too large for it); it left the queue. */
  commandRejected: { deviceId: string; ticket: string; error: DmcError };
  listenerError: { event: string; error: unknown };
  /** The engine closed: whoever waits on it (waitForSession) stops waiting. */
  engineClosed: { at: string };
}

export type SessionEventName = keyof SessionEvents;
type Listener<K extends SessionEventName> = (payload: SessionEvents[K]) => void;

export class SessionEventBus {
  private readonly listeners = new Map<SessionEventName, Set<Listener<SessionEventName>>>();

  /** Adds a listener; the returned function removes it. */
  on<K extends SessionEventName>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<SessionEventName>);
    return () => set.delete(listener as Listener<SessionEventName>);
  }

  emit<K extends SessionEventName>(event: K, payload: SessionEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        if (event === 'listenerError') continue;
        this.emit('listenerError', { event, error });
      }
    }
  }
}
