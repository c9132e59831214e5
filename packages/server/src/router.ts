import { authRouter } from "./routers/auth";
import { usersRouter } from "./routers/users";
import { router } from "./trpc";

// Static paths before parameterised ones inside each router: the REST dispatcher takes the first match.
export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
