// Passwords the server refuses beyond the contract's length: blank ones, the username, and common ones.
import { fieldError } from "../errors";

let common: Promise<Set<string>> | undefined;

/**
 * The 49,233 most common leaked passwords that zxcvbn-ts rates strength by (@zxcvbn-ts/language-common), those
 * of 8 characters or more (the contract's minimum), lower-cased. Loaded on first use: 4 MB and 50 ms that a
 * server which never sets a password does not pay.
 */
function commonPasswords(): Promise<Set<string>> {
  common ??= import("@zxcvbn-ts/language-common").then(
    ({ dictionary }) =>
      new Set(dictionary["passwords-common"].filter((p) => p.length >= 8).map((p) => p.toLowerCase())),
  );
  return common;
}

const BLANK = /^[\s\p{Default_Ignorable_Code_Point}]*$/u;
const folded = (s: string) => s.normalize("NFKC").trim().toLowerCase();

/** Why `password` may not be the password of the user named `username`; undefined when it may. */
export async function passwordProblem(password: string, username: string): Promise<string | undefined> {
  if (BLANK.test(password)) return "must not be only spaces or invisible characters";
  if (folded(password) === folded(username)) return "must not be the username";
  if ((await commonPasswords()).has(folded(password))) return "is too common; choose another";
  return undefined;
}

/**
 * A 400 naming `password` when passwordProblem finds one. Its cause carries an issue list as a failed input
 * parse does, so both doors answer it as they answer the contract's own validation errors (errors.ts).
 */
export async function assertPasswordAllowed(password: string, username: string): Promise<void> {
  const problem = await passwordProblem(password, username);
  if (!problem) return;
  throw fieldError("password", problem);
}
