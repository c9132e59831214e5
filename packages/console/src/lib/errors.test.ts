import { TaskManagerError } from "@taskmgr/sdk";
import { describe, expect, it } from "vitest";
import { formErrors } from "./errors";

describe("a server's refusal on a form", () => {
  it("puts each issue on its field and keeps the rest as the form's message", () => {
    const err = new TaskManagerError("title: too long; version: stale", {
      code: "BAD_REQUEST",
      status: 400,
      issues: [
        { path: "title", message: "Too big" },
        { path: "tasks.0.title", message: "ignored: not a field of this form" },
      ],
    });
    expect(formErrors(err, ["title", "description"])).toEqual({ fields: { title: "Too big" }, other: null });
  });

  it("shows an error with no field issues (a 409, a 403) as the form's message", () => {
    const err = new TaskManagerError('username "ada" is already taken', { code: "CONFLICT", status: 409 });
    expect(formErrors(err, ["username"])).toEqual({ fields: {}, other: 'username "ada" is already taken' });
    expect(formErrors(new Error("offline"), ["username"])).toEqual({ fields: {}, other: "offline" });
  });
});
