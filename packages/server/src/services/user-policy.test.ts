import { describe, expect, it } from "vitest";
import type { AuthUser } from "./actor";
import { assertMayChangeUser, assertNotLastAdmin, assertSelfOrAdmin } from "./user-policy";

const admin: AuthUser = { id: "00000000-0000-4000-8000-00000000000a", username: "root", role: "ADMIN" };
const intern: AuthUser = { id: "00000000-0000-4000-8000-0000000000b1", username: "ida", role: "INTERN" };
const other = "00000000-0000-4000-8000-0000000000c2";

describe("user policy", () => {
  it("an admin sees anyone; an intern only themselves, whatever the case of the id", () => {
    expect(() => assertSelfOrAdmin(admin, other)).not.toThrow();
    expect(() => assertSelfOrAdmin(intern, intern.id.toUpperCase())).not.toThrow();
    expect(() => assertSelfOrAdmin(intern, other)).toThrow(/only see and change yourself/);
  });

  it("role and active flag are an admin's to change, even on oneself", () => {
    expect(() => assertMayChangeUser(intern, { id: intern.id, email: "me@example.com" })).not.toThrow();
    expect(() => assertMayChangeUser(intern, { id: intern.id, role: "INTERN" })).toThrow(/Only an admin/);
    expect(() => assertMayChangeUser(intern, { id: intern.id, isActive: true })).toThrow(/Only an admin/);
    expect(() => assertMayChangeUser(intern, { id: other, email: "x@example.com" })).toThrow(/yourself/);
    expect(() => assertMayChangeUser(admin, { id: other, role: "ADMIN", isActive: false })).not.toThrow();
  });

  it("the last active admin is neither demoted nor deactivated; other changes pass", () => {
    const last = { role: "ADMIN", isActive: true };
    expect(() => assertNotLastAdmin(last, 1, { role: "INTERN" })).toThrow(/last active admin/);
    expect(() => assertNotLastAdmin(last, 1, { isActive: false })).toThrow(/last active admin/);
    expect(() => assertNotLastAdmin(last, 1, { role: "ADMIN", isActive: true })).not.toThrow();
    expect(() => assertNotLastAdmin(last, 2, { role: "INTERN" })).not.toThrow();
    expect(() =>
      assertNotLastAdmin({ role: "INTERN", isActive: true }, 1, { isActive: false }),
    ).not.toThrow();
  });
});
