import { Injectable } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { RejectedEvent, STREAMS, SUBJECTS } from '@tally/contracts';
import { NatsConnection } from '@tally/nats';

export interface StoredRejection {
  seq: number;
  event: RejectedEvent;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const STREAM = STREAMS.rejected.name;
/** Server-side cleanup of a probe or reader consumer the gateway failed to delete. */
const CONSUMER_INACTIVE_NS = 30_000 * 1_000_000;
const FETCH_EXPIRES_MS = 2_000;

/**
 * Reads the newest rejected events of one project from `TALLY_REJECTED`.
 *
 * NOTE: nats-server 2.9 has no "last N by subject" request. The stream info with a subject
 * filter gives the project's total; when it exceeds N, ephemeral consumers (filtered, starting
 * at a probed sequence) report how many of the project's messages follow that sequence, and a
 * galloping then binary search finds the sequence from which exactly N remain. Only those N
 * messages are then read, so the cost grows with log(stream length), not with the backlog.
 */
@Injectable()
export class RejectedEventsReader {
  constructor(private readonly nats: NatsConnection) {}

  /** Newest first. */
  async newest(projectId: string, limit: number): Promise<StoredRejection[]> {
    const jsm = await this.nats.manager();
    const subject = SUBJECTS.rejected(projectId);
    let state;
    try {
      state = (await jsm.streams.info(STREAM, { subjects_filter: subject })).state;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
        return [];
      }
      throw err;
    }
    const total = state.subjects?.[subject] ?? 0;
    if (total === 0) return [];
    const start =
      total <= limit
        ? state.first_seq
        : await this.startOfNewest(jsm, subject, limit, state.first_seq, state.last_seq);
    const read = await this.read(jsm, subject, start, Math.min(total, limit));
    return read.reverse();
  }

  /** The largest sequence from which at least `limit` of the subject's messages remain. */
  private async startOfNewest(
    jsm: JetStreamManager,
    subject: string,
    limit: number,
    firstSeq: number,
    lastSeq: number,
  ): Promise<number> {
    let enough = firstSeq; // known: at least `limit` remain from here
    let tooFew = lastSeq + 1; // known: fewer than `limit` remain from here
    for (let step = limit; ; step *= 2) {
      const probe = lastSeq + 1 - step;
      if (probe <= enough) break;
      if ((await this.remainingFrom(jsm, subject, probe)) >= limit) {
        enough = probe;
        break;
      }
      tooFew = probe;
    }
    while (tooFew - enough > 1) {
      const mid = Math.floor((enough + tooFew) / 2);
      if ((await this.remainingFrom(jsm, subject, mid)) >= limit) enough = mid;
      else tooFew = mid;
    }
    return enough;
  }

  private async remainingFrom(jsm: JetStreamManager, subject: string, seq: number) {
    const info = await jsm.consumers.add(STREAM, this.consumerConfig(subject, seq));
    try {
      return info.num_pending;
    } finally {
      await jsm.consumers.delete(STREAM, info.name).catch(() => undefined);
    }
  }

  private async read(
    jsm: JetStreamManager,
    subject: string,
    seq: number,
    count: number,
  ): Promise<StoredRejection[]> {
    const info = await jsm.consumers.add(STREAM, this.consumerConfig(subject, seq));
    const out: StoredRejection[] = [];
    let seen = 0;
    try {
      const consumer = await this.nats.js.consumers.get(STREAM, info.name);
      while (seen < count) {
        const before = seen;
        const batch = await consumer.fetch({
          max_messages: count - seen,
          expires: FETCH_EXPIRES_MS,
        });
        for await (const msg of batch) {
          seen++;
          // A record that does not match the contract is skipped, not ours to repair here.
          const parsed = RejectedEvent.safeParse(parseJson(msg.string()));
          if (parsed.success) out.push({ seq: msg.seq, event: parsed.data });
        }
        if (seen === before) break; // nothing more arrived (e.g. aged out meanwhile)
      }
    } finally {
      await jsm.consumers.delete(STREAM, info.name).catch(() => undefined);
    }
    return out;
  }

  private consumerConfig(subject: string, seq: number) {
    return {
      filter_subject: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: seq,
      ack_policy: AckPolicy.None,
      inactive_threshold: CONSUMER_INACTIVE_NS,
      mem_storage: true,
      num_replicas: 1,
    };
  }
}
