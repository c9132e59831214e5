import { TaskManagerError } from "@taskmgr/sdk";

/**
 * A server's refusal as a form's field errors: each issue under its field (the contract's `issues`), and what
 * belongs to no field of the form as one message for the form as a whole.
 */
export function formErrors(
  err: unknown,
  fields: readonly string[],
): { fields: Record<string, string>; other: string | null } {
  if (!(err instanceof TaskManagerError))
    return { fields: {}, other: err instanceof Error ? err.message : String(err) };
  const byField: Record<string, string> = {};
  for (const issue of err.issues) {
    const field = issue.path.split(".")[0] ?? "";
    if (fields.includes(field) && !byField[field]) byField[field] = issue.message;
  }
  return { fields: byField, other: Object.keys(byField).length > 0 ? null : err.message };
}
