/** Limits of the public ingest API (DESIGN.md, "Public HTTP API"). */
export const INGEST_LIMITS = {
  maxEventsPerBatch: 500,
  maxBodyBytes: 1024 * 1024,
  maxEventBytes: 32 * 1024,
  maxStringLength: 1024,
  maxUserIdLength: 256,
  maxPropertiesKeys: 100,
  /**
   * UTF-8 bytes of a rollup dimension (an event's name, element, path or method). The rollups'
   * primary-key index holds it, and a btree entry has at most 2,704 bytes: 1,024 three-byte
   * characters are refused by Postgres (measured), 2,048 bytes and a 64-character project id fit.
   */
  maxDimensionBytes: 2048,
  /** Reasons reported per refused event for what it carries (reserved keys, unstorable text). */
  maxContentProblems: 10,
  /** Arrays and objects nested deeper than this in a request are refused before any work. */
  maxNestingDepth: 64,
} as const;
