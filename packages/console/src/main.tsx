import "@mantine/core/styles.css";
import "@mantine/dates/styles.css";
import "@mantine/notifications/styles.css";
import "mantine-datatable/styles.css";
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode, useEffect } from "react";
import { createRoot } from "react-dom/client";
import { queryClient } from "./api";
import { router } from "./router";
import { SessionProvider, useSession } from "./session";
import { cssVariables, theme } from "./theme";

function App() {
  const session = useSession();
  // The routes' guards read the session: a sign-in or sign-out runs them again.
  useEffect(() => {
    if (session.ready) router.invalidate();
  }, [session]);
  if (!session.ready) return null;
  return <RouterProvider router={router} context={{ session }} />;
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <App />
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
