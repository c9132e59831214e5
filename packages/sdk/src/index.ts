export type { EventType, LogEntry, Page, Role, Task, TaskEvent, User } from "@taskmgr/db/contracts";
export {
  CLIENT_TASK_STATUSES,
  EVENT_TYPES,
  LOG_ACTIONS,
  ROLES,
  TASK_ORDER_FIELDS,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TaskCreateInput,
  TaskPriority,
  TaskStatus,
  TaskUpdateBody,
  UserCreateInput,
} from "@taskmgr/db/contracts";
export { type ClientOptions, createClient, type TaskManagerClient, type Tokens } from "./client";
export { type ClientErrorCode, type ErrorCode, type FieldIssue, TaskManagerError } from "./errors";
export type { AppRouter } from "./router";
