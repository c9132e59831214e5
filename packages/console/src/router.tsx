import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { z } from "zod";
import { Layout } from "./pages/Layout";
import { LoginPage } from "./pages/LoginPage";
import { LogPage } from "./pages/LogPage";
import { OperationsPage } from "./pages/OperationsPage";
import { ProfilePage } from "./pages/ProfilePage";
import { TaskPage } from "./pages/TaskPage";
import { TasksPage } from "./pages/TasksPage";
import { UsersPage } from "./pages/UsersPage";
import { LogSearch, TaskSearch, UserSearch } from "./search";
import type { Session } from "./session";

export interface RouterContext {
  session: Session;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({ component: Outlet });

export const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "login",
  // A path of this app only: "//host" or "/\\host" would leave it.
  validateSearch: z.object({
    redirect: z
      .string()
      .regex(/^\/(?![/\\])/)
      .optional()
      .catch(undefined),
  }),
  beforeLoad: ({ context, search }) => {
    if (context.session.user) throw redirect({ href: search.redirect ?? "/tasks" });
  },
  component: LoginPage,
});

/** Every page but the sign-in page: signed-in users only. */
const signedInRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "signed-in",
  beforeLoad: ({ context, location }) => {
    if (!context.session.user) {
      throw redirect({ to: "/login", search: { redirect: location.href.replace(/^\/admin/, "") } });
    }
  },
  component: Layout,
});

/** Pages of the role matrix's admin rows: an intern who follows a link there lands on their tasks. */
const adminOnly = ({ context }: { context: RouterContext }) => {
  if (context.session.user?.role !== "ADMIN") throw redirect({ to: "/tasks" });
};

const indexRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/tasks" });
  },
});

export const tasksRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "tasks",
  validateSearch: TaskSearch,
  component: TasksPage,
});

export const taskRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "tasks/$taskId",
  component: TaskPage,
});

export const logRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "log",
  validateSearch: LogSearch,
  component: LogPage,
});

export const usersRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "users",
  validateSearch: UserSearch,
  beforeLoad: adminOnly,
  component: UsersPage,
});

export const profileRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "profile",
  component: ProfilePage,
});

export const operationsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "operations",
  beforeLoad: adminOnly,
  component: OperationsPage,
});

const routeTree = rootRoute.addChildren([
  loginRoute,
  signedInRoute.addChildren([
    indexRoute,
    tasksRoute,
    taskRoute,
    logRoute,
    usersRoute,
    profileRoute,
    operationsRoute,
  ]),
]);

export const router = createRouter({
  routeTree,
  // The server serves the console under /admin (Vite's base); the router must be told too.
  basepath: import.meta.env.BASE_URL.replace(/\/$/, ""),
  context: { session: undefined as unknown as Session },
  defaultPreload: false,
});

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
