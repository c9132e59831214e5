import type { ApiKeyScope, Role, UserKind } from "@taskmgr/db/contracts";

/** Who acts: the authenticated user a service call is made for. The procedure layer builds it per request. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  kind?: UserKind;
  /** Set when the call came with an API key: its id, and its scopes (empty: everything the role allows). */
  apiKey?: { id: string; scopes: readonly ApiKeyScope[] };
}
