import postgres from "postgres";

export interface OutsideLock {
  /** Ends the holding transaction. */
  release(): void;
  /** Resolves once the transaction has ended and its connection is closed. */
  done: Promise<void>;
}

/**
 * Takes a lock in a transaction of another connection, as another client would, and holds it until released:
 * calls that need it wait for as long as the test says, whatever the machine's speed. Resolves once held.
 */
export async function holdOutsideLock(
  url: string,
  take: (tx: postgres.TransactionSql) => Promise<unknown>,
): Promise<OutsideLock> {
  const outside = postgres(url, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => {
    locked = r;
  });
  const transaction = outside.begin(async (tx) => {
    await take(tx);
    locked();
    await held;
  });
  const done = transaction.then(
    () => outside.end(),
    () => outside.end(),
  );
  await Promise.race([isLocked, transaction]);
  return { release, done };
}
