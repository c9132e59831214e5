import { z } from "zod";

export const ROLES = ["ADMIN", "INTERN"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** A person logs in with a password; a service account only uses API keys. */
export const USER_KINDS = ["PERSON", "SERVICE"] as const;
export const UserKind = z.enum(USER_KINDS);
export type UserKind = z.infer<typeof UserKind>;

/** What an API key may do: each narrows what its user's role allows (empty: everything the role allows). */
export const API_KEY_SCOPES = ["tasks:read", "tasks:write", "users:read", "users:write", "admin"] as const;
export const ApiKeyScope = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

// Declaration order is the sort order: PostgreSQL enums sort by it, so "priority" orders LOW < MEDIUM < HIGH.
export const TASK_STATUSES = ["PENDING", "IN_PROGRESS", "COMPLETED", "OVERDUE"] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** Statuses a client may set: OVERDUE is the system's alone. */
export const CLIENT_TASK_STATUSES = ["PENDING", "IN_PROGRESS", "COMPLETED"] as const;
export const ClientTaskStatus = z.enum(CLIENT_TASK_STATUSES, {
  error: (issue) =>
    issue.input === "OVERDUE"
      ? "OVERDUE is set by the system only"
      : `expected one of ${CLIENT_TASK_STATUSES.join(", ")}`,
});

export const TASK_PRIORITIES = ["LOW", "MEDIUM", "HIGH"] as const;
export const TaskPriority = z.enum(TASK_PRIORITIES);
export type TaskPriority = z.infer<typeof TaskPriority>;

export const LOG_ACTIONS = ["CREATED", "UPDATED", "DELETED", "MARKED_OVERDUE"] as const;
export const LogAction = z.enum(LOG_ACTIONS);
export type LogAction = z.infer<typeof LogAction>;
