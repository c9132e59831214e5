import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { messageOf } from "../api";
import { loginRoute } from "../router";
import { useSession } from "../session";

export function LoginPage() {
  const { signIn, endedBecause } = useSession();
  const navigate = useNavigate();
  const { redirect } = loginRoute.useSearch();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useForm({
    initialValues: { username: "", password: "" },
    validate: {
      username: (v) => (v.trim() ? null : "Enter your username"),
      password: (v) => (v ? null : "Enter your password"),
    },
  });
  return (
    <Center mih="100vh" component="main">
      <Paper withBorder shadow="sm" p="xl" w={360}>
        <form
          onSubmit={form.onSubmit(async ({ username, password }) => {
            setBusy(true);
            setError(null);
            try {
              await signIn(username.trim(), password);
              await navigate({ href: redirect ?? "/tasks" });
            } catch (err) {
              setError(messageOf(err));
            } finally {
              setBusy(false);
            }
          })}
        >
          <Stack>
            <Title order={1} size="h3">
              Sign in to Task Manager
            </Title>
            {endedBecause && !error && <Alert color="yellow.9">{endedBecause}</Alert>}
            {error && (
              <Alert color="red.9" role="alert">
                {error}
              </Alert>
            )}
            <TextInput label="Username" autoComplete="username" {...form.getInputProps("username")} />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              {...form.getInputProps("password")}
            />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
