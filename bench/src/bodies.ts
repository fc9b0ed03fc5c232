/** What the load generator sends: custom events of one name, so the rollups can be summed. */
export interface BodySpec {
  /** Custom event name (the rollup dimension) that verification sums over. */
  name: string;
  batchSize: number;
  users: number;
  /** 8 hex digits, distinct per bench run. */
  runHex: string;
  /** 1 hex digit, distinct per phase of a run, so event ids never repeat across phases. */
  phaseHex: string;
}

const VARIANTS = 32;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * Returns `body(request)`: a pre-serialised `POST /v1/events` body whose event ids are distinct
 * for every request number (a UUID v4 layout: run, phase, 36 bits of request number, 48 bits of
 * event index). Only the id prefix is computed per request; everything else is a template, so
 * the generator spends microseconds per body. A few template variants rotate the user ids.
 */
export function bodyFactory(spec: BodySpec): (request: number) => string {
  const templates = Array.from({ length: VARIANTS }, (_, variant) =>
    Array.from({ length: spec.batchSize }, (_, i) => ({
      pre: i === 0 ? '{"id":"' : ',{"id":"',
      post:
        `-${hex(i, 12)}","type":"custom","name":${JSON.stringify(spec.name)},` +
        `"userId":"u${(variant * spec.batchSize + i) % spec.users}","properties":{"plan":"pro"}}`,
    })),
  );
  return (request) => {
    const pieces = templates[request % VARIANTS] ?? [];
    const prefix = idPrefix(spec, request);
    let body = '{"events":[';
    for (const piece of pieces) body += piece.pre + prefix + piece.post;
    return body + ']}';
  };
}

/** One event per request (the naive baseline's API takes a single event). */
export function singleEventFactory(spec: BodySpec): (request: number) => string {
  return (request) =>
    `{"id":"${idPrefix(spec, request)}-000000000000","type":"custom","name":${JSON.stringify(spec.name)},` +
    `"userId":"u${request % spec.users}","properties":{"plan":"pro"}}`;
}

function idPrefix(spec: BodySpec, request: number): string {
  const hi = Math.floor(request / 0x1000000) & 0xfff;
  return `${spec.runHex}-${spec.phaseHex}${hex(hi, 3)}-4${hex((request >>> 12) & 0xfff, 3)}-8${hex(request & 0xfff, 3)}`;
}
