import type { ApiKeyScope } from "@taskmgr/db/contracts";
import { forbidden } from "../errors";
import type { AuthUser } from "./actor";

// API keys in API.md's terms: scopes only narrow the role, and keys are managed by their user or an admin.

/** What a call needs of an API key's scopes: a scope, or "any" for what every key may do (auth.me). */
export type RequiredScope = ApiKeyScope | "any";

/** A call with an API key needs its procedure's scope among the key's (an unscoped key has them all). */
export function assertScope(actor: AuthUser, required: RequiredScope | undefined): void {
  const scopes = actor.apiKey?.scopes;
  if (!scopes || scopes.length === 0 || required === "any") return;
  // A procedure that names no scope is closed to scoped keys rather than open to all of them.
  if (!required || !scopes.includes(required)) {
    throw forbidden(
      `This API key's scopes (${scopes.join(", ")}) do not include ${required ?? "the one this call needs"}`,
    );
  }
}

/** Whose keys the actor may list or make: their own, or anyone's for an admin. */
export function keyOwnerFor(actor: AuthUser, userId: string | undefined): string {
  const owner = userId?.toLowerCase() ?? actor.id;
  if (owner !== actor.id && actor.role !== "ADMIN") {
    throw forbidden("Only an admin may see or make another user's API keys");
  }
  return owner;
}

/** A scoped key cannot make a key that may do more than itself. */
export function assertMayGrant(actor: AuthUser, scopes: readonly ApiKeyScope[]): void {
  const own = actor.apiKey?.scopes;
  if (!own || own.length === 0) return;
  const beyond = scopes.length === 0 ? ["(all)"] : scopes.filter((s) => !own.includes(s));
  if (beyond.length > 0) {
    throw forbidden(`This API key may not grant scopes it does not hold: ${beyond.join(", ")}`);
  }
}

/** A key is revoked by its user or an admin; anyone else is told it does not exist. */
export const mayRevoke = (actor: AuthUser, key: { userId: string }) =>
  actor.role === "ADMIN" || key.userId === actor.id;
