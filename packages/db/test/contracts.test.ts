import { describe, expect, it } from "vitest";
import { TaskCreateInput, TaskListQuery, UserCreateInput } from "../src/contracts";

describe("contracts", () => {
  it("reads a date-only due date as the end of that day in UTC", () => {
    const input = TaskCreateInput.parse({ title: "x", dueDate: "2026-12-01" });
    expect(input.dueDate?.toISOString()).toBe("2026-12-01T23:59:59.999Z");
  });

  it("refuses OVERDUE from a client, naming the status", () => {
    const result = TaskCreateInput.safeParse({ title: "x", status: "OVERDUE" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["status"]);
    expect(result.error?.issues[0]?.message).toMatch(/system/);
  });

  it("rejects unknown body fields", () => {
    const result = TaskCreateInput.safeParse({ title: "x", titel: "typo" });
    expect(result.success).toBe(false);
  });

  it("trims titles and refuses empty ones", () => {
    expect(TaskCreateInput.parse({ title: "  a  " }).title).toBe("a");
    expect(TaskCreateInput.safeParse({ title: "   " }).success).toBe(false);
  });

  it("accepts comma lists and arrays for status", () => {
    expect(TaskListQuery.parse({ status: "PENDING,OVERDUE" }).status).toEqual(["PENDING", "OVERDUE"]);
    expect(TaskListQuery.parse({ status: ["COMPLETED"] }).status).toEqual(["COMPLETED"]);
    expect(TaskListQuery.safeParse({ status: "PENDING,DONE" }).success).toBe(false);
  });

  it("parses ordering and refuses unknown fields by name", () => {
    expect(TaskListQuery.parse({ ordering: "-priority,dueDate" }).ordering).toEqual([
      { field: "priority", desc: true },
      { field: "dueDate", desc: false },
    ]);
    const bad = TaskListQuery.safeParse({ ordering: "-colour" });
    expect(bad.error?.issues[0]?.path).toEqual(["ordering"]);
    expect(bad.error?.issues[0]?.message).toMatch(/colour/);
  });

  it("reads page sizes from query strings without coercing garbage", () => {
    expect(TaskListQuery.parse({ pageSize: "50" }).pageSize).toBe(50);
    expect(TaskListQuery.safeParse({ pageSize: "101" }).success).toBe(false);
    expect(TaskListQuery.safeParse({ pageSize: "1e2" }).success).toBe(false);
    expect(TaskListQuery.safeParse({ page: "1", cursor: "abc" }).success).toBe(false);
  });

  it("enforces the username alphabet", () => {
    expect(UserCreateInput.safeParse({ username: "ab", password: "12345678" }).success).toBe(false);
    expect(UserCreateInput.safeParse({ username: "a b c", password: "12345678" }).success).toBe(false);
    expect(UserCreateInput.parse({ username: "alice.b+1@x", password: "12345678" }).role).toBe("INTERN");
  });
});
