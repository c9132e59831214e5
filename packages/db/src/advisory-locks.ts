/**
 * Every PostgreSQL advisory lock key the processes take, in one place: two features sharing a key would wait
 * for each other, or skip their work, without saying so.
 */
export const ADVISORY_LOCKS = {
  /** Held while migrating: one process migrates, the others wait. */
  migrations: 7_342_001,
  /** Held by the transaction that creates a user, while look-alike keys are checked and written. */
  userCreation: 7_342_002,
  /** Held by the one transaction at a time that adds a row to task_count_cache. */
  countCacheInsert: 7_342_003,
  /** With a hash of (caller, Idempotency-Key): held by the transaction that answers that key first. */
  idempotencyKey: 7_342_004,
  /** Held by the one transaction at a time that numbers committed events (task-store/events.ts). */
  eventRelay: 7_342_005,
} as const;
