import { parseArgs } from 'node:util';
import type { EventType } from '@tally/contracts';

const EVENT_TYPES: readonly EventType[] = ['click', 'purchase', 'login', 'page_view', 'custom'];

export interface LoadOptions {
  endpoint: string;
  writeKey: string;
  /** Events per second. */
  rate: number;
  durationSeconds: number;
  types: EventType[];
  users: number;
  flushAt: number;
  concurrency: number;
  maxQueueSize: number;
}

export const USAGE = `Usage: tally-load --endpoint URL --write-key KEY [options]

  --endpoint URL        gateway origin, e.g. http://127.0.0.1:3000
  --write-key KEY       a write key of the project
  --rate N              events per second (default 1000)
  --duration S          seconds of load (default 10)
  --types a,b           event types: ${EVENT_TYPES.join(',')} (default click,page_view)
  --users N             distinct user ids (default 1000)
  --flush-at N          events per request, at most 500 (default 500)
  --concurrency N       requests in flight (default 4)
  --max-queue N         events held before track() overflows (default 100000)

Exits 1 when an event was lost: tracked but neither acknowledged nor rejected by the gateway.`;

/** Parses the command line; throws an Error whose message is meant for the user. */
export function parseLoadOptions(argv: string[]): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      endpoint: { type: 'string' },
      'write-key': { type: 'string' },
      rate: { type: 'string', default: '1000' },
      duration: { type: 'string', default: '10' },
      types: { type: 'string', default: 'click,page_view' },
      users: { type: 'string', default: '1000' },
      'flush-at': { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '4' },
      'max-queue': { type: 'string', default: '100000' },
    },
  });
  if (!values.endpoint) throw new Error('--endpoint is required');
  if (!values['write-key']) throw new Error('--write-key is required');
  const types = values.types.split(',').map((type) => type.trim());
  const unknown = types.filter((type) => !EVENT_TYPES.includes(type as EventType));
  if (unknown.length > 0 || types.length === 0) {
    throw new Error(`--types: unknown ${unknown.join(',')}; use ${EVENT_TYPES.join(',')}`);
  }
  return {
    endpoint: values.endpoint,
    writeKey: values['write-key'],
    rate: positive('--rate', values.rate),
    durationSeconds: positive('--duration', values.duration),
    types: types as EventType[],
    users: positive('--users', values.users),
    flushAt: positive('--flush-at', values['flush-at']),
    concurrency: positive('--concurrency', values.concurrency),
    maxQueueSize: positive('--max-queue', values['max-queue']),
  };
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} must be a positive number`);
  return value;
}
