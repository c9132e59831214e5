import { Alert, Group, MultiSelect, Pagination, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { LOG_ACTIONS, type LogEntry } from "@taskmgr/sdk";
import { DataTable } from "mantine-datatable";
import { messageOf, trpc } from "../api";
import { FIELD_LABELS, formatDateTime, formatValue, label } from "../lib/history";
import { useUsers } from "../lib/users";
import { RouterAnchor } from "../links";
import { logRoute } from "../router";
import type { LogSearch } from "../search";

const PAGE_SIZE = 50;
const ACTION_LABELS: Record<string, string> = {
  CREATED: "Created",
  UPDATED: "Updated",
  DELETED: "Deleted",
  MARKED_OVERDUE: "Marked overdue",
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The activity log across tasks, newest first, with its filters in the URL. */
export function LogPage() {
  const search = logRoute.useSearch();
  const navigate = useNavigate({ from: "/log" });
  const { options, userName } = useUsers();
  const setSearch = (change: Partial<LogSearch>) =>
    navigate({
      search: (prev) => {
        const next: LogSearch = { ...prev, ...change };
        if (!("page" in change)) delete next.page;
        return Object.fromEntries(
          Object.entries(next).filter(
            ([, v]) => v !== undefined && v !== "" && !(Array.isArray(v) && !v.length),
          ),
        ) as LogSearch;
      },
    });
  const log = useQuery({
    ...trpc.tasks.logs.queryOptions({
      pageSize: PAGE_SIZE,
      page: search.page ?? 1,
      ...(search.taskId ? { taskId: search.taskId } : {}),
      ...(search.actorId ? { actorId: search.actorId } : {}),
      ...(search.action?.length ? { action: search.action } : {}),
      ...(search.since ? { since: search.since } : {}),
      ...(search.until ? { until: search.until } : {}),
    }),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack>
      <Title order={2}>Activity log</Title>
      <Group align="flex-end" gap="sm">
        <Select
          label="Actor"
          placeholder="Anyone"
          data={options}
          value={search.actorId ?? null}
          onChange={(v) => setSearch({ actorId: v ?? undefined })}
          searchable
          clearable
          w={200}
        />
        <MultiSelect
          label="Action"
          placeholder="Any"
          data={LOG_ACTIONS.map((a) => ({ value: a, label: ACTION_LABELS[a] ?? a }))}
          value={search.action ?? []}
          onChange={(v) => setSearch({ action: v as LogSearch["action"] })}
          clearable
          w={260}
        />
        <TextInput
          label="Task id"
          placeholder="Any task"
          defaultValue={search.taskId ?? ""}
          error={false}
          onChange={(e) => {
            const v = e.currentTarget.value.trim();
            if (v === "" || UUID.test(v)) setSearch({ taskId: v || undefined });
          }}
          w={320}
        />
        <DatePickerInput
          type="range"
          label="Between"
          placeholder="Any time"
          valueFormat="YYYY-MM-DD"
          allowSingleDateInRange
          clearable
          value={[search.since ?? null, search.until ?? null]}
          onChange={([since, until]) => {
            if ((since && until) || (!since && !until)) {
              setSearch({ since: since ?? undefined, until: until ?? undefined });
            }
          }}
          w={240}
        />
      </Group>
      {log.error && (
        <Alert color="red.9" role="alert">
          {messageOf(log.error)}
        </Alert>
      )}
      <DataTable<LogEntry>
        aria-label="Activity log"
        withTableBorder
        striped
        minHeight={160}
        fetching={log.isFetching}
        records={log.data?.results ?? []}
        noRecordsText="No entries match these filters"
        columns={[
          { accessor: "createdAt", title: "When", render: (e) => formatDateTime(e.createdAt) },
          {
            accessor: "actorId",
            title: "Who",
            render: (e) => (e.actorId === null ? "System" : userName(e.actorId)),
          },
          { accessor: "action", title: "Action", render: (e) => ACTION_LABELS[e.action] ?? e.action },
          {
            accessor: "field",
            title: "Change",
            render: (e) =>
              e.field
                ? `${FIELD_LABELS[e.field] ?? e.field}: ${formatValue(e.field, e.oldValue, userName)} → ${formatValue(e.field, e.newValue, userName)}`
                : e.action === "MARKED_OVERDUE"
                  ? `Status: ${label(String(e.oldValue ?? ""))} → Overdue`
                  : "",
          },
          {
            accessor: "taskId",
            title: "Task",
            render: (e) =>
              e.action === "DELETED" ? (
                <Text size="sm">{e.taskId.slice(0, 8)} (deleted)</Text>
              ) : (
                <RouterAnchor to="/tasks/$taskId" params={{ taskId: e.taskId }}>
                  {e.taskId.slice(0, 8)}
                </RouterAnchor>
              ),
          },
        ]}
      />
      {log.data && log.data.totalPages > 1 && (
        <Pagination
          total={log.data.totalPages}
          value={search.page ?? 1}
          onChange={(page) => setSearch({ page })}
          getControlProps={(control) => ({ "aria-label": `${control} page` })}
        />
      )}
      {log.data && (
        <Text size="sm">
          {log.data.count} {log.data.count === 1 ? "entry" : "entries"}
        </Text>
      )}
    </Stack>
  );
}
