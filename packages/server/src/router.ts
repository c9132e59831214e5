import { adminRouter } from "./routers/admin";
import { apiKeysRouter } from "./routers/api-keys";
import { authRouter } from "./routers/auth";
import { eventsRouter } from "./routers/events";
import { tasksRouter } from "./routers/tasks";
import { usersRouter } from "./routers/users";
import { router } from "./trpc";

// Static paths before parameterised ones inside each router: the REST dispatcher takes the first match.
export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  tasks: tasksRouter,
  admin: adminRouter,
  apiKeys: apiKeysRouter,
  events: eventsRouter,
});

export type AppRouter = typeof appRouter;
