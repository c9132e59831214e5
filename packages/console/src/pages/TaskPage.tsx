import {
  Alert,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type Task, TaskManagerError } from "@taskmgr/sdk";
import { useState } from "react";
import { client, messageOf, trpc } from "../api";
import { TaskForm, type TaskFormValues, valuesOf } from "../components/TaskForm";
import { changedSince, FIELD_LABELS, formatDateTime, formatValue, label, timeline } from "../lib/history";
import { nextStatus, PRIORITY_COLORS, STATUS_COLORS } from "../lib/status";
import { useUsers } from "../lib/users";
import { RouterAnchor } from "../links";
import { taskRoute } from "../router";
import { useSession } from "../session";

const DETAIL_FIELDS = ["title", "description", "priority", "dueDate"];

/** The fields this user may change on this task (API.md's role matrix; the server checks it again). */
function editableFields(user: { id: string; role: string } | null, task: Task): Set<string> {
  if (user?.role === "ADMIN") return new Set([...DETAIL_FIELDS, "status", "assigneeId"]);
  return new Set(["status", ...(task.createdById === user?.id ? DETAIL_FIELDS : [])]);
}

/** The update body for what the form changed, and nothing else (an unchanged field is not sent). */
function changesOf(initial: TaskFormValues, values: TaskFormValues) {
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(values) as (keyof TaskFormValues)[]) {
    if (values[key] !== initial[key]) body[key] = values[key];
  }
  return body;
}

interface Conflict {
  mine: Record<string, unknown>;
  theirs: ReturnType<typeof changedSince>;
  current: Task;
}

export function TaskPage() {
  const { taskId } = taskRoute.useParams();
  const { user } = useSession();
  const admin = user?.role === "ADMIN";
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { userName } = useUsers();
  const task = useQuery(trpc.tasks.get.queryOptions({ id: taskId }));
  const history = useQuery(trpc.tasks.logsOf.queryOptions({ id: taskId, pageSize: 100 }));
  const [editing, setEditing] = useState(false);
  const [formKey, setFormKey] = useState(0);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [confirmingDelete, { open: askDelete, close: closeDelete }] = useDisclosure(false);

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.tasks.get.queryKey({ id: taskId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.tasks.logsOf.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.tasks.list.pathKey() }),
    ]);
  const update = (body: Record<string, unknown>, version: number) =>
    client.tasks.update.mutate({ id: taskId, ...body, version } as Parameters<
      typeof client.tasks.update.mutate
    >[0]);

  const step = useMutation({
    mutationFn: (t: Task) => update({ status: nextStatus(t.status).to }, t.version),
    onError: (err) => notifications.show({ color: "red.9", title: "Not changed", message: messageOf(err) }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: () => client.tasks.delete.mutate({ id: taskId }),
    onSuccess: async () => {
      notifications.show({ message: "Task deleted" });
      await queryClient.invalidateQueries({ queryKey: trpc.tasks.list.pathKey() });
      await navigate({ to: "/tasks" });
    },
    onError: (err) => notifications.show({ color: "red.9", title: "Not deleted", message: messageOf(err) }),
  });

  if (task.isPending) return <Loader aria-label="Loading task" />;
  if (task.error) {
    return (
      <Stack>
        <Alert color="red.9" role="alert">
          {messageOf(task.error)}
        </Alert>
        <RouterAnchor to="/tasks">Back to tasks</RouterAnchor>
      </Stack>
    );
  }
  const t = task.data;
  const initial = valuesOf(t);
  const editable = editableFields(user, t);

  async function save(values: TaskFormValues) {
    const mine = changesOf(initial, values);
    if (Object.keys(mine).length === 0) {
      setEditing(false);
      return;
    }
    try {
      await update(mine, t.version);
    } catch (err) {
      if (err instanceof TaskManagerError && err.code === "CONFLICT") {
        const current = await client.tasks.get.query({ id: taskId });
        setConflict({ mine, theirs: changedSince(t, current), current });
        return;
      }
      throw err;
    }
    notifications.show({ message: "Task saved" });
    setEditing(false);
    await refresh();
  }

  const step_ = nextStatus(t.status);
  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <RouterAnchor to="/tasks">Tasks</RouterAnchor>
          <Text aria-hidden>/</Text>
          <Title order={2}>{t.title}</Title>
        </Group>
        <Group>
          <Button variant="light" loading={step.isPending} onClick={() => step.mutate(t)}>
            {step_.action}
          </Button>
          {!editing && (
            <Button variant="default" onClick={() => setEditing(true)}>
              Edit
            </Button>
          )}
          {admin && (
            <Button color="red.9" variant="outline" onClick={askDelete}>
              Delete
            </Button>
          )}
        </Group>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder>
            {editing ? (
              <TaskForm
                key={`${t.version}-${formKey}`}
                initial={initial}
                editable={editable}
                submitLabel="Save"
                onCancel={() => setEditing(false)}
                onSubmit={save}
              />
            ) : (
              <Table variant="vertical" withTableBorder={false} aria-label="Task details">
                <Table.Tbody>
                  <Table.Tr>
                    <Table.Th w={140}>Status</Table.Th>
                    <Table.Td>
                      <Badge color={STATUS_COLORS[t.status]}>{label(t.status)}</Badge>
                    </Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Priority</Table.Th>
                    <Table.Td>
                      <Badge variant="outline" color={PRIORITY_COLORS[t.priority]}>
                        {label(t.priority)}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Due</Table.Th>
                    <Table.Td>{formatDateTime(t.dueDate)}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Assignee</Table.Th>
                    <Table.Td>{t.assigneeId ? userName(t.assigneeId) : "—"}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Created by</Table.Th>
                    <Table.Td>{userName(t.createdById)}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Created</Table.Th>
                    <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Description</Table.Th>
                    <Table.Td style={{ whiteSpace: "pre-wrap" }}>{t.description || "—"}</Table.Td>
                  </Table.Tr>
                </Table.Tbody>
              </Table>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder>
            <Title order={3} size="h4" mb="sm">
              History
            </Title>
            {history.data ? (
              <Timeline bulletSize={14} lineWidth={2} aria-label="History">
                {timeline(history.data.results, userName).map((item) => (
                  <Timeline.Item key={item.id} title={`${item.who} ${item.what}`}>
                    {item.change && (
                      <Text size="sm">
                        {item.change.field}: {item.change.from} → {item.change.to}
                      </Text>
                    )}
                    <Text size="xs" c="dimmed">
                      {formatDateTime(item.at)}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            ) : (
              <Loader size="sm" aria-label="Loading history" />
            )}
          </Card>
        </Grid.Col>
      </Grid>
      <Modal opened={confirmingDelete} onClose={closeDelete} title="Delete this task?">
        <Stack>
          <Text>“{t.title}” will be deleted. Its history stays in the activity log.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={closeDelete}>
              Cancel
            </Button>
            <Button color="red.9" loading={remove.isPending} onClick={() => remove.mutate()}>
              Delete task
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal
        opened={conflict !== null}
        onClose={() => setConflict(null)}
        title="Someone else changed this task"
        size="lg"
      >
        {conflict && (
          <Stack>
            <Text>While you were editing, the task was changed. Its changes and yours:</Text>
            <Table aria-label="Changes">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Field</Table.Th>
                  <Table.Th>Now on the server</Table.Th>
                  <Table.Th>Your edit</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...new Set([...conflict.theirs.map((c) => c.field), ...Object.keys(conflict.mine)])].map(
                  (f) => (
                    <Table.Tr key={f}>
                      <Table.Td>{FIELD_LABELS[f] ?? f}</Table.Td>
                      <Table.Td>{formatValue(f, conflict.current[f as keyof Task], userName)}</Table.Td>
                      <Table.Td>
                        {f in conflict.mine ? formatValue(f, conflict.mine[f], userName) : "(unchanged)"}
                      </Table.Td>
                    </Table.Tr>
                  ),
                )}
              </Table.Tbody>
            </Table>
            <Group justify="flex-end">
              <Button
                variant="default"
                onClick={async () => {
                  setConflict(null);
                  setFormKey((k) => k + 1);
                  await refresh();
                }}
              >
                Reload and discard my edits
              </Button>
              <Button
                color="red.9"
                onClick={async () => {
                  try {
                    await update(conflict.mine, conflict.current.version);
                    setConflict(null);
                    setEditing(false);
                    notifications.show({ message: "Task saved over the other change" });
                  } catch (err) {
                    notifications.show({ color: "red.9", title: "Not saved", message: messageOf(err) });
                  }
                  await refresh();
                }}
              >
                Overwrite with my edits
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
