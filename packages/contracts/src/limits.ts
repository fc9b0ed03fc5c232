/** Limits of the public ingest API (DESIGN.md, "Public HTTP API"). */
export const INGEST_LIMITS = {
  maxEventsPerBatch: 500,
  maxBodyBytes: 1024 * 1024,
  maxEventBytes: 32 * 1024,
  maxStringLength: 1024,
  maxUserIdLength: 256,
  maxPropertiesKeys: 100,
  /** Arrays and objects nested deeper than this in a request are refused before any work. */
  maxNestingDepth: 64,
} as const;
