import { Alert, Button, Card, Group, Stack, Table, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { client } from "../api";
import { formErrors } from "../lib/errors";
import { formatDateTime, label } from "../lib/history";
import { useSession } from "../session";
import { PasswordForm } from "./UsersPage";

/** Every user's own page: who they are, their email, their password. */
export function ProfilePage() {
  const { user, refreshUser } = useSession();
  const [other, setOther] = useState<string | null>(null);
  const form = useForm({ initialValues: { email: user?.email ?? "" } });
  if (!user) return null;
  return (
    <Stack maw={560}>
      <Title order={2}>Your profile</Title>
      <Card withBorder>
        <Table variant="vertical" aria-label="Your account">
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={140}>Username</Table.Th>
              <Table.Td>{user.username}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Role</Table.Th>
              <Table.Td>{label(user.role)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Member since</Table.Th>
              <Table.Td>{formatDateTime(user.createdAt)}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder>
        <form
          noValidate
          onSubmit={form.onSubmit(async ({ email }) => {
            setOther(null);
            try {
              await client.users.update.mutate({ id: user.id, email: email.trim() || null });
              await refreshUser();
              notifications.show({ message: "Email saved" });
            } catch (err) {
              const errors = formErrors(err, ["email"]);
              form.setErrors(errors.fields);
              setOther(errors.other);
            }
          })}
        >
          <Stack>
            <Title order={3} size="h4">
              Email
            </Title>
            {other && (
              <Alert color="red.9" role="alert">
                {other}
              </Alert>
            )}
            <TextInput label="Email" type="email" {...form.getInputProps("email")} />
            <Group justify="flex-end">
              <Button type="submit" loading={form.submitting}>
                Save email
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          Password
        </Title>
        <PasswordForm
          askCurrent
          submitLabel="Change password"
          onSubmit={async (password, currentPassword) => {
            await client.users.update.mutate({ id: user.id, password, currentPassword });
            notifications.show({ message: "Password changed" });
          }}
        />
      </Card>
    </Stack>
  );
}
