import type { LogEntry, Task } from "@taskmgr/sdk";
import { describe, expect, it } from "vitest";
import { changedSince, formatValue, timeline } from "./history";

const names: Record<string, string> = { u1: "ada", u2: "bob" };
const userName = (id: string) => names[id] ?? `user ${id}`;
const entry = (e: Partial<LogEntry>): LogEntry => ({
  id: "e",
  taskId: "t",
  actorId: "u1",
  action: "UPDATED",
  field: null,
  oldValue: null,
  newValue: null,
  createdAt: "2026-12-02T10:00:00.000Z",
  ...e,
});

describe("a task's timeline", () => {
  it("says who changed which field from what to what, with names and labels people read", () => {
    const items = timeline(
      [
        entry({ id: "1", field: "status", oldValue: "PENDING", newValue: "IN_PROGRESS" }),
        entry({ id: "2", actorId: "u2", field: "assigneeId", oldValue: null, newValue: "u1" }),
        entry({ id: "3", action: "CREATED" }),
      ],
      userName,
    );
    expect(items.map((i) => [i.who, i.what, i.change])).toEqual([
      ["ada", "changed status", { field: "Status", from: "Pending", to: "In progress" }],
      ["bob", "changed assignee", { field: "Assignee", from: "—", to: "ada" }],
      ["ada", "created the task", undefined],
    ]);
  });

  it("shows the sweep's entries as the system's", () => {
    const [item] = timeline(
      [
        entry({
          action: "MARKED_OVERDUE",
          actorId: null,
          field: "status",
          oldValue: "IN_PROGRESS",
          newValue: "OVERDUE",
        }),
      ],
      userName,
    );
    expect(item).toMatchObject({ who: "System", what: "marked the task overdue" });
    expect(item?.change).toEqual({ field: "Status", from: "In progress", to: "Overdue" });
  });

  it("formats values: empty as a dash, ids as names, enums as words", () => {
    expect(formatValue("description", "", userName)).toBe("—");
    expect(formatValue("assigneeId", "u2", userName)).toBe("bob");
    expect(formatValue("priority", "HIGH", userName)).toBe("High");
  });
});

describe("a conflict", () => {
  it("lists the fields someone else changed since the form was opened", () => {
    const before = {
      title: "a",
      description: "",
      status: "PENDING",
      priority: "LOW",
      dueDate: null,
      assigneeId: null,
    };
    const now = { ...before, title: "b", assigneeId: "u2" } as Task;
    expect(changedSince(before as Task, now)).toEqual([
      { field: "title", from: "a", to: "b" },
      { field: "assigneeId", from: null, to: "u2" },
    ]);
  });
});
