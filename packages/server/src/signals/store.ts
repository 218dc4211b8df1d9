import type { SignalEvent, StreamStatus } from './events.js';

/**
 * Shared Signals streams and their storage port (issue 16 §2; SSF 1.0 §8.1). A stream belongs to
 * one receiver (a client authenticated with client credentials); another receiver never sees it.
 */

/** SSF 1.0 §8.1.1 delivery methods. */
export const PUSH = 'urn:ietf:rfc:8935';
export const POLL = 'urn:ietf:rfc:8936';

/** The receiver-supplied and transmitter-supplied configuration of a stream (SSF 1.0 §8.1.1), as JSON. */
export interface StreamConfig {
  stream_id: string;
  iss: string;
  aud: string | string[];
  events_supported: string[];
  events_requested: string[];
  events_delivered: string[];
  delivery: { method: typeof PUSH; endpoint_url: string; authorization_header?: string | undefined } | { method: typeof POLL; endpoint_url: string };
  min_verification_interval?: number | undefined;
  description?: string | undefined;
}

export interface Stream {
  id: string;
  /** The receiver that created it (its client_id). */
  clientId: string;
  config: StreamConfig;
  status: StreamStatus;
  statusReason?: string | undefined;
  createdAt: number;
  updatedAt: number;
  verifiedAt?: number | undefined;
}

/** A subject added to a stream (SSF 1.0 §8.1.3), with the account it names when it names one. */
export interface StreamSubject {
  streamId: string;
  /** A canonical key of the subject identifier (RFC 9493), unique per stream. */
  key: string;
  subject: Record<string, unknown>;
  accountId?: string | undefined;
  addedAt: number;
}

/** A SET waiting in a poll stream (RFC 8936) until the receiver acknowledges its jti. */
export interface PolledEvent {
  jti: string;
  event: SignalEvent;
  createdAt: number;
}

export interface StreamStore {
  insertStream(stream: Stream): Promise<void>;
  streamById(id: string): Promise<Stream | undefined>;
  streamsOfClient(clientId: string): Promise<Stream[]>;
  /**
   * Replaces the stored stream (config, status, times); false when it does not exist. In the same
   * transaction: a disabled stream's waiting events and pending pushes are dropped; an enabled push
   * stream's held events (ssf_poll_events) move into the outbox as ssf_push rows, same jti and iat.
   */
  updateStream(stream: Stream): Promise<boolean>;
  /** Deletes the stream, its subjects, its waiting poll events and pending pushes; false when it did not exist. */
  deleteStream(id: string): Promise<boolean>;
  addSubject(subject: StreamSubject): Promise<void>;
  /** False when the stream had no such subject. */
  removeSubject(streamId: string, key: string): Promise<boolean>;
  /**
   * Queues an event for one stream outside an ending's transaction (verification,
   * stream-updated): an outbox row of kind ssf_push for a push stream, a poll row for a poll
   * stream; jti as given.
   */
  queueSignal(streamId: string, jti: string, event: SignalEvent, at: number): Promise<void>;
  /** Up to `max` waiting events of a poll stream, oldest first (RFC 8936 §2.4 maxEvents), and whether more wait. */
  pollEvents(streamId: string, max: number): Promise<{ events: PolledEvent[]; more: boolean }>;
  /** Acknowledges (deletes) the listed jtis of the stream (RFC 8936 §2.4 ack); returns the jtis it did not know. */
  acknowledgeEvents(streamId: string, jtis: readonly string[]): Promise<string[]>;
}
