import type { LogEntry, Task } from "@taskmgr/sdk";

/** The fields a person edits, in the order a form shows them, with the names people read. */
export const FIELD_LABELS: Record<string, string> = {
  title: "Title",
  description: "Description",
  status: "Status",
  priority: "Priority",
  dueDate: "Due date",
  assigneeId: "Assignee",
};

const WORDS: Record<string, string> = {
  PENDING: "Pending",
  IN_PROGRESS: "In progress",
  COMPLETED: "Completed",
  OVERDUE: "Overdue",
  LOW: "Low",
  MEDIUM: "Medium",
  HIGH: "High",
  ADMIN: "Admin",
  INTERN: "Intern",
};

/** An enum value as people read it: IN_PROGRESS is "In progress". */
export function label(value: string): string {
  return WORDS[value] ?? value;
}

// One formatter for every date shown: toLocaleString with options builds a new one on each call, which made
// most of a 100-row page's render time.
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A date-time for people, in their own time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

/** A field's value as the timeline and the conflict dialog show it. */
export function formatValue(field: string | null, value: unknown, userName: (id: string) => string): string {
  if (value === null || value === undefined || value === "") return "—";
  if (field === "assigneeId" && typeof value === "string") return userName(value);
  if (field === "dueDate" && typeof value === "string") return formatDateTime(value);
  if (typeof value === "string") return label(value);
  return JSON.stringify(value);
}

export interface TimelineItem {
  id: string;
  at: string;
  /** "System" for the overdue sweep's entries; otherwise the actor's name. */
  who: string;
  what: string;
  /** For an update: the field, its old and its new value. */
  change?: { field: string; from: string; to: string };
}

/** A task's log entries as lines of a timeline: who, what, which field from what to what, when. */
export function timeline(entries: readonly LogEntry[], userName: (id: string) => string): TimelineItem[] {
  return entries.map((e) => {
    const who = e.action === "MARKED_OVERDUE" || e.actorId === null ? "System" : userName(e.actorId);
    const base = { id: e.id, at: e.createdAt, who };
    switch (e.action) {
      case "CREATED":
        return { ...base, what: "created the task" };
      case "DELETED":
        return { ...base, what: "deleted the task" };
      case "MARKED_OVERDUE":
        return {
          ...base,
          what: "marked the task overdue",
          change: { field: "Status", from: formatValue("status", e.oldValue, userName), to: "Overdue" },
        };
      default: {
        const field = e.field ?? "";
        return {
          ...base,
          what: `changed ${(FIELD_LABELS[field] ?? field).toLowerCase()}`,
          change: {
            field: FIELD_LABELS[field] ?? field,
            from: formatValue(field, e.oldValue, userName),
            to: formatValue(field, e.newValue, userName),
          },
        };
      }
    }
  });
}

type Editable = Pick<Task, "title" | "description" | "status" | "priority" | "dueDate" | "assigneeId">;
const EDITABLE = ["title", "description", "status", "priority", "dueDate", "assigneeId"] as const;

/**
 * What someone else changed while a person was editing: the fields whose value on the server differs from
 * the one the form started from. The conflict dialog shows these beside the person's own edits.
 */
export function changedSince(
  before: Editable,
  now: Editable,
): { field: (typeof EDITABLE)[number]; from: unknown; to: unknown }[] {
  return EDITABLE.filter((f) => before[f] !== now[f]).map((f) => ({ field: f, from: before[f], to: now[f] }));
}
