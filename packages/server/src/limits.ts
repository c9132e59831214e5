/** Fixed limits of the HTTP surface; the tunable ones are in config.ts. README, Security, lists them all. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_QUERY_CHARS = 4096;
/**
 * A tRPC batch's answers together. A single call's answer is bounded by the contract (100 tasks of at most
 * 10,200 characters, each escaped to at most 6 bytes: about 6 MiB; a log page about twice that), so this lets
 * any one call through and stops a batch from multiplying it. Counted in characters of JSON, which is what
 * the answer costs in memory.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
