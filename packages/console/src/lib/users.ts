import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { trpc } from "../api";
import { useSession } from "../session";

/**
 * Names for user ids, and the choices of a user field. An admin reads the user list (its first 100 users,
 * narrowed by what is typed in the field); an intern may not list users, and sees themselves by name and
 * others by a short id.
 */
export function useUsers(search = "") {
  const { user } = useSession();
  const admin = user?.role === "ADMIN";
  const list = useQuery({
    ...trpc.users.list.queryOptions({ pageSize: 100, ...(search ? { search } : {}) }),
    enabled: admin,
    staleTime: 30_000,
  });
  const users = admin ? (list.data?.results ?? []) : user ? [user] : [];
  const userName = useCallback(
    (id: string) => {
      if (id === user?.id) return user.username;
      return users.find((u) => u.id === id)?.username ?? `user ${id.slice(0, 8)}`;
    },
    [users, user],
  );
  const options = users.map((u) => ({
    value: u.id,
    label: u.isActive ? u.username : `${u.username} (inactive)`,
  }));
  return { users, userName, options };
}
