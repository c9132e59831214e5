import { pgEnum } from "drizzle-orm/pg-core";
import { LOG_ACTIONS, ROLES, TASK_PRIORITIES, TASK_STATUSES, USER_KINDS } from "../contracts/enums";

export const roleEnum = pgEnum("user_role", ROLES);
export const taskStatusEnum = pgEnum("task_status", TASK_STATUSES);
export const taskPriorityEnum = pgEnum("task_priority", TASK_PRIORITIES);
export const logActionEnum = pgEnum("log_action", LOG_ACTIONS);
export const userKindEnum = pgEnum("user_kind", USER_KINDS);
