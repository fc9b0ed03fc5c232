/**
 * Version of the message contracts. Bump it (and export the schema again) when a change would
 * break an existing producer or consumer; `schema-compat.spec.ts` enforces this.
 */
export const CONTRACTS_VERSION = 2;
