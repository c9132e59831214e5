import { Alert, Button, Group, Select, Stack, Textarea, TextInput } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { schemaResolver, useForm } from "@mantine/form";
import { CLIENT_TASK_STATUSES, TASK_PRIORITIES, type Task, TaskCreateInput } from "@taskmgr/sdk";
import { useState } from "react";
import { formErrors } from "../lib/errors";
import { label } from "../lib/history";
import { useUsers } from "../lib/users";
import { useSession } from "../session";

export interface TaskFormValues {
  title: string;
  description: string;
  status: string;
  priority: string;
  dueDate: string | null;
  assigneeId: string | null;
}

const FIELDS = ["title", "description", "status", "priority", "dueDate", "assigneeId"] as const;

/** The form's values for a task (or a new one): dates as the date picker holds them, YYYY-MM-DD. */
export function valuesOf(task: Task | null): TaskFormValues {
  return {
    title: task?.title ?? "",
    description: task?.description ?? "",
    status: task?.status ?? "PENDING",
    priority: task?.priority ?? "MEDIUM",
    dueDate: task?.dueDate ? task.dueDate.slice(0, 10) : null,
    assigneeId: task?.assigneeId ?? null,
  };
}

/**
 * Create and edit, validated by the server's own contract (TaskCreateInput) before anything is sent, and by the
 * server after: its `issues` land on their fields. On edit, `editable` says which fields this user may change
 * (the role matrix); the others are shown read-only.
 */
export function TaskForm(props: {
  initial: TaskFormValues;
  editable: ReadonlySet<string>;
  submitLabel: string;
  onSubmit(values: TaskFormValues): Promise<void>;
  onCancel?: () => void;
}) {
  const { user } = useSession();
  const { options } = useUsers();
  const [other, setOther] = useState<string | null>(null);
  const form = useForm<TaskFormValues>({
    initialValues: props.initial,
    validate: schemaResolver(TaskCreateInput, { sync: true }),
  });
  const readOnly = (field: string) => !props.editable.has(field);
  const statuses = [...CLIENT_TASK_STATUSES, ...(props.initial.status === "OVERDUE" ? ["OVERDUE"] : [])];
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async (values) => {
        setOther(null);
        try {
          await props.onSubmit(values);
        } catch (err) {
          const errors = formErrors(err, FIELDS);
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
        <TextInput label="Title" required readOnly={readOnly("title")} {...form.getInputProps("title")} />
        <Textarea
          label="Description"
          autosize
          minRows={3}
          maxRows={10}
          readOnly={readOnly("description")}
          {...form.getInputProps("description")}
        />
        <Group grow align="flex-start">
          <Select
            label="Status"
            data={statuses.map((s) => ({ value: s, label: label(s), disabled: s === "OVERDUE" }))}
            allowDeselect={false}
            readOnly={readOnly("status")}
            {...form.getInputProps("status")}
          />
          <Select
            label="Priority"
            data={TASK_PRIORITIES.map((p) => ({ value: p, label: label(p) }))}
            allowDeselect={false}
            readOnly={readOnly("priority")}
            {...form.getInputProps("priority")}
          />
        </Group>
        <Group grow align="flex-start">
          <DatePickerInput
            label="Due date"
            placeholder="No due date"
            clearable
            valueFormat="YYYY-MM-DD"
            readOnly={readOnly("dueDate")}
            {...form.getInputProps("dueDate")}
          />
          <Select
            label="Assignee"
            placeholder={user?.role === "ADMIN" ? "Nobody" : undefined}
            data={options}
            searchable
            clearable
            readOnly={readOnly("assigneeId")}
            {...form.getInputProps("assigneeId")}
          />
        </Group>
        <Group justify="flex-end">
          {props.onCancel && (
            <Button variant="default" onClick={props.onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={form.submitting}>
            {props.submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
