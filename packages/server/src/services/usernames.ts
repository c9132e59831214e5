// Look-alike usernames: UTS #39 skeletons, and keeping every user's stored one current.
import { type Executor, rowsOf, users } from "@taskmgr/db";
import { asc, isNull, sql } from "drizzle-orm";
import unhomoglyph from "unhomoglyph";

const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The UTS #39 skeleton of a username key (users.username_key, already NFKC and lower-cased): NFD, invisible
 * characters dropped, each character replaced by its prototype in Unicode's confusables.txt (unhomoglyph's data),
 * NFD again. Two names look alike when their skeletons are equal: "аdmin" with a Cyrillic а, "adrnin" and "admin".
 */
export function skeletonOf(usernameKey: string): string {
  return unhomoglyph(usernameKey.normalize("NFD").replace(INVISIBLE, "")).normalize("NFD");
}

/**
 * Stores the skeleton of every user who has none (rows written by a release before migration 0007, a seed, a
 * fixture, or the user just inserted), oldest first. A row whose skeleton an older user already has is left
 * without one, and its id is returned. Run it in the transaction that creates a user, holding
 * ADVISORY_LOCKS.userCreation, so that no other skeleton is written meanwhile.
 */
export async function storeMissingSkeletons(tx: Executor): Promise<Set<string>> {
  const missing = await tx
    .select({ id: users.id, key: users.usernameKey })
    .from(users)
    .where(isNull(users.usernameSkeleton))
    .orderBy(asc(users.createdAt), asc(users.id));
  const lookAlikes = new Set<string>();
  if (missing.length === 0) return lookAlikes;
  const wanted = missing.map((row) => ({ id: row.id, skeleton: skeletonOf(row.key) }));
  // Parameters go as one JSON document each: a seed may leave thousands of rows, past PostgreSQL's 65,535 parameters.
  const candidates = JSON.stringify([...new Set(wanted.map((w) => w.skeleton))]);
  const taken = new Set(
    rowsOf<{ skeleton: string }>(
      await tx.execute(sql`
        select ${users.usernameSkeleton} as skeleton from ${users}
        where ${users.usernameSkeleton} in (select jsonb_array_elements_text(${candidates}::jsonb))`),
    ).map((row) => row.skeleton),
  );
  const stored: typeof wanted = [];
  for (const row of wanted) {
    if (taken.has(row.skeleton)) lookAlikes.add(row.id);
    else {
      taken.add(row.skeleton);
      stored.push(row);
    }
  }
  if (stored.length > 0) {
    await tx.execute(sql`
      update ${users} set username_skeleton = v.skeleton
      from jsonb_to_recordset(${JSON.stringify(stored)}::jsonb) as v(id uuid, skeleton text)
      where ${users.id} = v.id`);
  }
  return lookAlikes;
}
