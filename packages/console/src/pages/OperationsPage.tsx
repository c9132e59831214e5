import { Alert, Button, Card, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { client, messageOf, trpc } from "../api";

/** The admin's operations: the overdue sweep on demand (API.md, Overdue sweep). */
export function OperationsPage() {
  const queryClient = useQueryClient();
  const sweep = useMutation({
    mutationFn: () => client.admin.overdueSweep.mutate(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.tasks.pathKey() }),
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
    </Stack>
  );
}
