import { describe, expect, it } from "vitest";
import { sortBy, TaskSearch, taskListInput, withFilters } from "./search";

describe("the tasks page's URL", () => {
  it("keeps what is valid and drops, one by one, what a hand-edited URL got wrong", () => {
    const search = TaskSearch.parse({
      status: ["PENDING", "NOPE"],
      priority: ["HIGH"],
      assigneeId: "not-a-uuid",
      ordering: ["-dueDate", "title"],
      pageSize: 37,
      dueAfter: "2026-12-01",
    });
    expect(search).toEqual({ priority: ["HIGH"], ordering: ["-dueDate", "title"], dueAfter: "2026-12-01" });
  });

  it("refuses an ordering key the server does not know", () => {
    expect(TaskSearch.parse({ ordering: ["-nonsense"] })).toEqual({});
  });

  it("builds the list input from what is set only, with the last cursor", () => {
    expect(
      taskListInput({
        status: ["PENDING", "OVERDUE"],
        search: "  report ",
        ordering: ["priority", "-dueDate"],
        cursors: ["a", "b"],
      }),
    ).toEqual({
      status: ["PENDING", "OVERDUE"],
      search: "report",
      ordering: "priority,-dueDate",
      pageSize: 20,
      cursor: "b",
    });
    expect(taskListInput({ search: "   ", status: [] })).toEqual({ pageSize: 20 });
  });

  it("starts again at the first page when a filter changes, and drops emptied filters", () => {
    expect(
      withFilters({ status: ["PENDING"], cursors: ["a"], search: "x" }, { search: "", priority: ["LOW"] }),
    ).toEqual({
      status: ["PENDING"],
      priority: ["LOW"],
    });
  });

  it("makes a clicked column the first sort key, ascending, then descending, keeping the others behind it", () => {
    expect(sortBy(undefined, "title")).toEqual(["title"]);
    expect(sortBy(["title"], "title")).toEqual(["-title"]);
    expect(sortBy(["-title"], "title")).toEqual(["title"]);
    expect(sortBy(["-dueDate", "title"], "title")).toEqual(["title", "-dueDate"]);
    expect(sortBy(["priority", "-dueDate"], "dueDate")).toEqual(["dueDate", "priority"]);
  });
});
