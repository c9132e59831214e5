import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Pagination,
  PasswordInput,
  Select,
  Stack,
  TextInput,
  Title,
} from "@mantine/core";
import { schemaResolver, useForm } from "@mantine/form";
import { useDebouncedCallback, useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { ROLES, type User, UserCreateInput } from "@taskmgr/sdk";
import { DataTable } from "mantine-datatable";
import { useState } from "react";
import { client, messageOf, trpc } from "../api";
import { formErrors } from "../lib/errors";
import { formatDateTime, label } from "../lib/history";
import { usersRoute } from "../router";
import { useSession } from "../session";

const PAGE_SIZE = 20;

export function UsersPage() {
  const search = usersRoute.useSearch();
  const navigate = useNavigate({ from: "/users" });
  const queryClient = useQueryClient();
  const { user: me } = useSession();
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const users = useQuery({
    ...trpc.users.list.queryOptions({
      pageSize: PAGE_SIZE,
      page: search.page ?? 1,
      ...(search.search ? { search: search.search } : {}),
    }),
    placeholderData: keepPreviousData,
  });
  const setSearchText = useDebouncedCallback(
    (value: string) => navigate({ search: value.trim() ? { search: value.trim() } : {} }),
    300,
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });

  async function change(u: User, body: { role?: "ADMIN" | "INTERN"; isActive?: boolean }, done: string) {
    try {
      await client.users.update.mutate({ id: u.id, ...body });
      notifications.show({ message: done });
    } catch (err) {
      // The server's own words: the last-admin rule among them.
      notifications.show({ color: "red.9", title: "Not changed", message: messageOf(err) });
    }
    await refresh();
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Users</Title>
        <Button onClick={openCreate}>New user</Button>
      </Group>
      <TextInput
        label="Search"
        placeholder="Username or email"
        defaultValue={search.search ?? ""}
        onChange={(e) => setSearchText(e.currentTarget.value)}
        w={300}
      />
      {users.error && (
        <Alert color="red.9" role="alert">
          {messageOf(users.error)}
        </Alert>
      )}
      <DataTable<User>
        aria-label="Users"
        withTableBorder
        striped
        minHeight={160}
        fetching={users.isFetching}
        records={users.data?.results ?? []}
        noRecordsText="No users match"
        columns={[
          { accessor: "username", title: "Username" },
          { accessor: "email", title: "Email", render: (u) => u.email ?? "—" },
          {
            accessor: "role",
            title: "Role",
            render: (u) => (
              <Select
                aria-label={`Role of ${u.username}`}
                data={ROLES.map((r) => ({ value: r, label: label(r) }))}
                value={u.role}
                allowDeselect={false}
                size="xs"
                w={120}
                onChange={(role) =>
                  role &&
                  role !== u.role &&
                  change(
                    u,
                    { role: role as User["role"] },
                    `${u.username} is now ${label(role).toLowerCase()}`,
                  )
                }
              />
            ),
          },
          {
            accessor: "isActive",
            title: "Status",
            render: (u) => (
              <Badge color={u.isActive ? "teal.9" : "gray.8"}>{u.isActive ? "Active" : "Deactivated"}</Badge>
            ),
          },
          { accessor: "createdAt", title: "Joined", render: (u) => formatDateTime(u.createdAt) },
          {
            accessor: "actions",
            title: "Actions",
            render: (u) => (
              <Group gap="xs" wrap="nowrap">
                <Button
                  size="compact-xs"
                  variant="light"
                  color={u.isActive ? "red.9" : "teal.9"}
                  aria-label={`${u.isActive ? "Deactivate" : "Reactivate"} ${u.username}`}
                  onClick={() =>
                    change(
                      u,
                      { isActive: !u.isActive },
                      `${u.username} ${u.isActive ? "deactivated" : "reactivated"}`,
                    )
                  }
                >
                  {u.isActive ? "Deactivate" : "Reactivate"}
                </Button>
                <Button
                  size="compact-xs"
                  variant="default"
                  aria-label={`Reset password of ${u.username}`}
                  onClick={() => setResetting(u)}
                >
                  Reset password
                </Button>
                {u.id === me?.id && <Badge variant="outline">You</Badge>}
              </Group>
            ),
          },
        ]}
      />
      {users.data && users.data.totalPages > 1 && (
        <Pagination
          total={users.data.totalPages}
          value={search.page ?? 1}
          onChange={(page) => navigate({ search: (prev) => ({ ...prev, page }) })}
        />
      )}
      <Modal opened={creating} onClose={closeCreate} title="New user">
        <CreateUserForm
          onDone={async () => {
            closeCreate();
            await refresh();
          }}
        />
      </Modal>
      <Modal
        opened={resetting !== null}
        onClose={() => setResetting(null)}
        title={`Reset the password of ${resetting?.username ?? ""}`}
      >
        {resetting && (
          <PasswordForm
            submitLabel="Set password"
            onSubmit={async (password) => {
              await client.users.update.mutate({ id: resetting.id, password });
              notifications.show({ message: `Password of ${resetting.username} changed` });
              setResetting(null);
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}

const checkUser = schemaResolver(UserCreateInput, { sync: true });
const withoutEmptyEmail = <T extends { email: string }>(v: T) => ({ ...v, email: v.email.trim() || null });

function CreateUserForm({ onDone }: { onDone: () => Promise<void> }) {
  const [other, setOther] = useState<string | null>(null);
  const form = useForm({
    initialValues: { username: "", password: "", role: "INTERN", email: "" },
    transformValues: withoutEmptyEmail,
    // Checked as it will be sent: an empty email field means no email.
    validate: (values) => checkUser(withoutEmptyEmail(values)),
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async (values) => {
        setOther(null);
        try {
          const user = await client.users.create.mutate(
            values as Parameters<typeof client.users.create.mutate>[0],
          );
          notifications.show({ message: `Created ${user.username}` });
          await onDone();
        } catch (err) {
          const errors = formErrors(err, ["username", "password", "role", "email"]);
          form.setErrors(errors.fields);
          setOther(errors.other);
        }
      })}
    >
      <Stack>
        {other && (
          <Alert color="red.9" role="alert">
            {other}
          </Alert>
        )}
        <TextInput label="Username" required autoComplete="off" {...form.getInputProps("username")} />
        <TextInput label="Email" type="email" {...form.getInputProps("email")} />
        <PasswordInput
          label="Password"
          required
          autoComplete="new-password"
          {...form.getInputProps("password")}
        />
        <Select
          label="Role"
          data={ROLES.map((r) => ({ value: r, label: label(r) }))}
          allowDeselect={false}
          {...form.getInputProps("role")}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={form.submitting}>
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** A new password (and, for one's own, the current one), with the server's password policy's answer on its field. */
export function PasswordForm(props: {
  submitLabel: string;
  askCurrent?: boolean;
  onSubmit(password: string, currentPassword: string): Promise<void>;
}) {
  const [other, setOther] = useState<string | null>(null);
  const form = useForm({
    initialValues: { currentPassword: "", password: "", confirm: "" },
    validate: {
      currentPassword: (v) => (props.askCurrent && !v ? "Enter your current password" : null),
      password: (v) => (v.length < 8 ? "At least 8 characters" : null),
      confirm: (v, values) => (v !== values.password ? "The passwords differ" : null),
    },
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async ({ password, currentPassword }) => {
        setOther(null);
        try {
          await props.onSubmit(password, currentPassword);
          form.reset();
        } catch (err) {
          const errors = formErrors(err, ["password", "currentPassword"]);
          form.setErrors(errors.fields);
          setOther(errors.other);
        }
      })}
    >
      <Stack>
        {other && (
          <Alert color="red.9" role="alert">
            {other}
          </Alert>
        )}
        {props.askCurrent && (
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            {...form.getInputProps("currentPassword")}
          />
        )}
        <PasswordInput label="New password" autoComplete="new-password" {...form.getInputProps("password")} />
        <PasswordInput
          label="Repeat the new password"
          autoComplete="new-password"
          {...form.getInputProps("confirm")}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={form.submitting}>
            {props.submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
