import { AppShell, Badge, Burger, Button, Group, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { Outlet, useNavigate } from "@tanstack/react-router";
import { messageOf } from "../api";
import { label } from "../lib/history";
import { RouterNavLink } from "../links";
import { useSession } from "../session";

export function Layout() {
  const { user, signOut } = useSession();
  const navigate = useNavigate();
  const [opened, { toggle }] = useDisclosure();
  const admin = user?.role === "ADMIN";
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h4">
              Task Manager
            </Title>
          </Group>
          <Group gap="sm">
            <Text size="sm">{user?.username}</Text>
            <Badge color={admin ? "grape.9" : "teal.9"}>{label(user?.role ?? "")}</Badge>
            <Button
              variant="default"
              size="xs"
              onClick={async () => {
                try {
                  await signOut();
                } catch (err) {
                  notifications.show({
                    color: "red.9",
                    title: "Sign-out incomplete",
                    message: messageOf(err),
                  });
                }
                await navigate({ to: "/login", search: {} });
              }}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <RouterNavLink to="/tasks" label="Tasks" activeProps={{ active: true }} />
        <RouterNavLink to="/log" label="Activity log" activeProps={{ active: true }} />
        {admin && <RouterNavLink to="/users" label="Users" activeProps={{ active: true }} />}
        {admin && <RouterNavLink to="/operations" label="Operations" activeProps={{ active: true }} />}
        <RouterNavLink to="/profile" label="Profile" activeProps={{ active: true }} />
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
