import { Alert, Button, Card, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { TaskManagerError } from "@taskmgr/sdk";
import { client, messageOf, trpc } from "../api";

/** The admin's operations: the overdue sweep on demand (API.md, Overdue sweep). */
export function OperationsPage() {
  const queryClient = useQueryClient();
  const sweep = useMutation({
    mutationFn: () => client.admin.overdueSweep.mutate(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.tasks.pathKey() }),
  });
  // The dashboard is a page of its own: the server lets this browser in with a cookie scoped to it.
  const dashboard = useMutation({
    mutationFn: async () => {
      const res = await client.fetch("/admin/queues/session", { method: "POST" });
      if (!res.ok) throw await TaskManagerError.fromResponse(res, "The queue dashboard is not available");
      window.location.assign("/admin/queues");
    },
  });
  return (
    <Stack maw={640}>
      <Title order={2}>Operations</Title>
      <Card withBorder>
        <Stack>
          <Title order={3} size="h4">
            Overdue sweep
          </Title>
          <Text size="sm">
            Marks every pending or in-progress task whose due date has passed as overdue, with one history
            entry each. It also runs on its own every few seconds; this runs it now and waits for it to
            finish.
          </Text>
          <Button w="fit-content" loading={sweep.isPending} onClick={() => sweep.mutate()}>
            Run the overdue sweep now
          </Button>
          {sweep.data && (
            <Alert color="green.9" role="status">
              Sweep finished: {sweep.data.markedOverdue} {sweep.data.markedOverdue === 1 ? "task" : "tasks"}{" "}
              marked overdue.
            </Alert>
          )}
          {sweep.error && (
            <Alert color="red.9" role="alert">
              {messageOf(sweep.error)}
            </Alert>
          )}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack>
          <Title order={3} size="h4">
            Job queue
          </Title>
          <Text size="sm">
            With Redis, the sweeps run as BullMQ jobs; the dashboard shows them, their failures and retries.
          </Text>
          <Button
            w="fit-content"
            variant="default"
            loading={dashboard.isPending}
            onClick={() => dashboard.mutate()}
          >
            Open the queue dashboard
          </Button>
          {dashboard.error && (
            <Alert color="red.9" role="alert">
              {messageOf(dashboard.error)}
            </Alert>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}
