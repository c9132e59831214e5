import type { User } from "@taskmgr/sdk";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { client, onSessionEnd, queryClient } from "./api";
import { followTaskEvents } from "./live";

export interface Session {
  /** Null until the session is known (a reload asks the server), then the user or null when signed out. */
  user: User | null;
  ready: boolean;
  /** Why the last session ended, to say on the sign-in page ("Your session has ended"). */
  endedBecause: string | null;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** After a change to the user's own profile. */
  refreshUser(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside <SessionProvider>");
  return session;
}

/**
 * The signed-in user. A reload asks the server for a new access token from the refresh cookie; when the SDK
 * reports that the session ended (a refresh refused: the user deactivated, the session revoked or expired),
 * the user is signed out here too and the router sends them to the sign-in page.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(false);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const tokens = await client.resumeSession();
        const me = tokens ? await client.auth.me.query() : null;
        if (live) setUser(me);
      } catch {
        if (live) setUser(null);
      } finally {
        if (live) setReady(true);
      }
    })();
    const unsubscribe = onSessionEnd(() => {
      queryClient.clear();
      setUser((was) => {
        if (was) setEndedBecause("Your session has ended. Sign in again.");
        return null;
      });
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);

  // Live task lists and histories for as long as someone is signed in.
  const signedIn = user?.id;
  useEffect(() => (signedIn ? followTaskEvents() : undefined), [signedIn]);

  const signIn = useCallback(async (username: string, password: string) => {
    await client.login(username, password);
    const me = await client.auth.me.query();
    setEndedBecause(null);
    setUser(me);
  }, []);
  const signOut = useCallback(async () => {
    try {
      await client.logout();
    } finally {
      queryClient.clear();
      setEndedBecause(null);
      setUser(null);
    }
  }, []);
  const refreshUser = useCallback(async () => {
    setUser(await client.auth.me.query());
  }, []);

  const value = useMemo(
    () => ({ user, ready, endedBecause, signIn, signOut, refreshUser }),
    [user, ready, endedBecause, signIn, signOut, refreshUser],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
