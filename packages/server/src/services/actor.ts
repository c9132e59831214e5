import type { Role } from "@taskmgr/db/contracts";

/** Who acts: the authenticated user a service call is made for. The procedure layer builds it per request. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
}
