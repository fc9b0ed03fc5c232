/** What an app needs a stream to look like; provisioned idempotently at start. */
export interface StreamSpec {
  name: string;
  subjects: readonly string[];
  /** How long stored messages are kept; 0 = forever. */
  maxAgeMs?: number;
  /** Window in which a repeated `Nats-Msg-Id` is recognised as a duplicate. */
  duplicateWindowMs?: number;
  replicas?: number;
}
