import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { useDebouncedCallback, useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { TASK_ORDER_FIELDS, TASK_PRIORITIES, TASK_STATUSES, type Task } from "@taskmgr/sdk";
import { DataTable, type DataTableSortStatus } from "mantine-datatable";
import { client, messageOf, trpc } from "../api";
import { TaskForm, valuesOf } from "../components/TaskForm";
import { FIELD_LABELS, formatDateTime, label } from "../lib/history";
import { nextStatus, PRIORITY_COLORS, STATUS_COLORS } from "../lib/status";
import { useUsers } from "../lib/users";
import { RouterAnchor } from "../links";
import { tasksRoute } from "../router";
import {
  DEFAULT_PAGE_SIZE,
  PAGE_SIZES,
  sortBy,
  type TaskSearch,
  taskListInput,
  withFilters,
} from "../search";
import { useSession } from "../session";

const ORDER_LABELS: Record<string, string> = {
  ...FIELD_LABELS,
  createdAt: "Created",
  updatedAt: "Updated",
};
const ORDER_OPTIONS = TASK_ORDER_FIELDS.flatMap((f) => [
  { value: f, label: `${ORDER_LABELS[f] ?? f} ↑` },
  { value: `-${f}`, label: `${ORDER_LABELS[f] ?? f} ↓` },
]);

export function TasksPage() {
  const search = tasksRoute.useSearch();
  const navigate = useNavigate({ from: "/tasks" });
  const queryClient = useQueryClient();
  const { user } = useSession();
  const admin = user?.role === "ADMIN";
  const { options: userOptions, userName } = useUsers();
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const input = taskListInput(search);
  const list = useQuery({ ...trpc.tasks.list.queryOptions(input), placeholderData: keepPreviousData });

  const setSearch = (change: Partial<TaskSearch>) =>
    navigate({ search: (prev) => withFilters(prev, change), replace: false });
  const setSearchText = useDebouncedCallback((value: string) => setSearch({ search: value }), 300);

  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.tasks.pathKey() });
  const changeStatus = useMutation({
    mutationFn: (t: Task) =>
      client.tasks.update.mutate({ id: t.id, status: nextStatus(t.status).to, version: t.version }),
    onSuccess: (t) => notifications.show({ message: `“${t.title}” is now ${label(t.status).toLowerCase()}` }),
    onError: (err) => notifications.show({ color: "red.9", title: "Not changed", message: messageOf(err) }),
    onSettled: invalidate,
  });

  const ordering = search.ordering ?? [];
  const primary = ordering[0];
  const sortStatus: DataTableSortStatus<Task> = primary
    ? {
        columnAccessor: primary.replace(/^-/, ""),
        direction: primary.startsWith("-") ? "desc" : "asc",
      }
    : { columnAccessor: "createdAt", direction: "desc" };

  const page = list.data;
  const cursors = search.cursors ?? [];
  const pageSize = search.pageSize ?? DEFAULT_PAGE_SIZE;
  const first = cursors.length * pageSize + 1;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Tasks</Title>
        <Button onClick={openCreate}>New task</Button>
      </Group>
      <Group align="flex-end" wrap="wrap" gap="sm">
        <TextInput
          label="Search"
          placeholder="Title or description"
          defaultValue={search.search ?? ""}
          onChange={(e) => setSearchText(e.currentTarget.value)}
          w={220}
        />
        <MultiSelect
          label="Status"
          placeholder="Any"
          data={TASK_STATUSES.map((s) => ({ value: s, label: label(s) }))}
          value={search.status ?? []}
          onChange={(v) => setSearch({ status: v as TaskSearch["status"] })}
          clearable
          w={220}
        />
        <MultiSelect
          label="Priority"
          placeholder="Any"
          data={TASK_PRIORITIES.map((p) => ({ value: p, label: label(p) }))}
          value={search.priority ?? []}
          onChange={(v) => setSearch({ priority: v as TaskSearch["priority"] })}
          clearable
          w={200}
        />
        <Select
          label="Assignee"
          placeholder="Anyone"
          data={userOptions}
          value={search.assigneeId ?? null}
          onChange={(v) => setSearch({ assigneeId: v ?? undefined })}
          searchable
          clearable
          w={180}
        />
        <Select
          label="Created by"
          placeholder="Anyone"
          data={userOptions}
          value={search.createdById ?? null}
          onChange={(v) => setSearch({ createdById: v ?? undefined })}
          searchable
          clearable
          w={180}
        />
        <DatePickerInput
          type="range"
          label="Due between"
          placeholder="Any time"
          valueFormat="YYYY-MM-DD"
          allowSingleDateInRange
          clearable
          value={[search.dueAfter ?? null, search.dueBefore ?? null]}
          onChange={([after, before]) => {
            if ((after && before) || (!after && !before)) {
              setSearch({ dueAfter: after ?? undefined, dueBefore: before ?? undefined });
            }
          }}
          w={240}
        />
        <MultiSelect
          label="Sort by"
          placeholder="Newest first"
          data={ORDER_OPTIONS.filter(
            (o) =>
              ordering.includes(o.value) ||
              !ordering.some((k) => k.replace(/^-/, "") === o.value.replace(/^-/, "")),
          )}
          value={ordering}
          onChange={(v) => setSearch({ ordering: v })}
          clearable
          w={260}
        />
        <Select
          label="Page size"
          data={PAGE_SIZES.map(String)}
          value={String(pageSize)}
          onChange={(v) => setSearch({ pageSize: Number(v) })}
          allowDeselect={false}
          w={100}
        />
      </Group>
      {list.error && (
        <Alert color="red.9" role="alert">
          {messageOf(list.error)}
        </Alert>
      )}
      <DataTable<Task>
        aria-label="Tasks"
        withTableBorder
        striped
        highlightOnHover
        minHeight={160}
        fetching={list.isFetching}
        records={page?.results ?? []}
        idAccessor="id"
        noRecordsText="No tasks match these filters"
        sortStatus={sortStatus}
        onSortStatusChange={(s) => setSearch({ ordering: sortBy(ordering, String(s.columnAccessor)) })}
        columns={[
          {
            accessor: "title",
            title: "Title",
            sortable: true,
            render: (t) => (
              <RouterAnchor to="/tasks/$taskId" params={{ taskId: t.id }}>
                {t.title}
              </RouterAnchor>
            ),
          },
          {
            accessor: "status",
            title: "Status",
            sortable: true,
            render: (t) => (
              <Badge color={STATUS_COLORS[t.status]} variant="filled">
                {label(t.status)}
              </Badge>
            ),
          },
          {
            accessor: "priority",
            title: "Priority",
            sortable: true,
            render: (t) => (
              <Badge color={PRIORITY_COLORS[t.priority]} variant="outline">
                {label(t.priority)}
              </Badge>
            ),
          },
          { accessor: "dueDate", title: "Due", sortable: true, render: (t) => formatDateTime(t.dueDate) },
          {
            accessor: "assigneeId",
            title: "Assignee",
            render: (t) => (t.assigneeId ? userName(t.assigneeId) : "—"),
          },
          {
            accessor: "createdAt",
            title: "Created",
            sortable: true,
            render: (t) => formatDateTime(t.createdAt),
          },
          {
            accessor: "updatedAt",
            title: "Updated",
            sortable: true,
            render: (t) => formatDateTime(t.updatedAt),
          },
          {
            accessor: "actions",
            title: "Actions",
            render: (t) => {
              const step = nextStatus(t.status);
              return (
                <Button
                  size="compact-xs"
                  variant="light"
                  aria-label={`${step.action}: ${t.title}`}
                  loading={changeStatus.isPending && changeStatus.variables?.id === t.id}
                  onClick={() => changeStatus.mutate(t)}
                >
                  {step.action}
                </Button>
              );
            },
          },
        ]}
      />
      <Group justify="space-between">
        <Text size="sm" aria-live="polite">
          {page
            ? page.count === 0
              ? "No tasks"
              : `${first}–${first + page.results.length - 1} of ${page.count}`
            : "Loading…"}
        </Text>
        <Group gap="xs">
          <Button
            variant="default"
            disabled={cursors.length === 0}
            onClick={() => navigate({ search: (prev) => ({ ...prev, cursors: cursors.slice(0, -1) }) })}
          >
            Previous page
          </Button>
          <Button
            variant="default"
            disabled={!page?.nextCursor}
            onClick={() =>
              page?.nextCursor &&
              navigate({ search: (prev) => ({ ...prev, cursors: [...cursors, page.nextCursor!] }) })
            }
          >
            Next page
          </Button>
        </Group>
      </Group>
      <Modal opened={creating} onClose={closeCreate} title="New task" size="lg">
        <TaskForm
          initial={{ ...valuesOf(null), assigneeId: admin ? null : (user?.id ?? null) }}
          editable={
            new Set([
              "title",
              "description",
              "status",
              "priority",
              "dueDate",
              ...(admin ? ["assigneeId"] : []),
            ])
          }
          submitLabel="Create task"
          onCancel={closeCreate}
          onSubmit={async (values) => {
            const task = await client.tasks.create.mutate({
              title: values.title,
              description: values.description,
              status: values.status as "PENDING",
              priority: values.priority as "MEDIUM",
              dueDate: values.dueDate,
              assigneeId: values.assigneeId,
            });
            closeCreate();
            notifications.show({ message: `Created “${task.title}”` });
            await invalidate();
          }}
        />
      </Modal>
    </Stack>
  );
}
