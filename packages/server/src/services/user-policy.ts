import type { UserUpdateInput } from "@taskmgr/db/contracts";
import { TRPCError } from "@trpc/server";
import { forbidden } from "../errors";
import type { AuthUser } from "./actor";

// The user rows of API.md's role matrix, in one place. Route-level rules (listing and creating users) are
// procedure builders (adminProcedure).

/** An admin may see and change anyone; everyone else only themselves (403, users are not hidden like tasks). */
export function assertSelfOrAdmin(actor: AuthUser, userId: string): void {
  // Ids are UUIDs, which a client may send in upper case.
  if (actor.role !== "ADMIN" && userId.toLowerCase() !== actor.id) {
    throw forbidden("You may only see and change yourself");
  }
}

/** Which parts of a change the actor may make: role and active flag are an admin's. */
export function assertMayChangeUser(actor: AuthUser, input: UserUpdateInput): void {
  assertSelfOrAdmin(actor, input.id);
  if (actor.role !== "ADMIN" && (input.role !== undefined || input.isActive !== undefined)) {
    throw forbidden("Only an admin may change a role or the active flag");
  }
}

/** Whether a change could leave no active admin: a demotion or a deactivation. */
export function mayRemoveAnAdmin(input: Pick<UserUpdateInput, "role" | "isActive">): boolean {
  return (input.role !== undefined && input.role !== "ADMIN") || input.isActive === false;
}

/** The last active admin cannot be demoted or deactivated (409). */
export function assertNotLastAdmin(
  target: { role: string; isActive: boolean },
  activeAdmins: number,
  input: Pick<UserUpdateInput, "role" | "isActive">,
): void {
  if (mayRemoveAnAdmin(input) && target.role === "ADMIN" && target.isActive && activeAdmins <= 1) {
    throw new TRPCError({ code: "CONFLICT", message: "Cannot demote or deactivate the last active admin" });
  }
}
