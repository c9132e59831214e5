import { z } from "zod";
import { dateInput, enumList, Id, IsoDateTime, orderingParam, text } from "./common";
import { LOG_ACTIONS, LogAction } from "./enums";
import { listQuery, pageOf } from "./page";

/** Any JSON value: a field's old or new value as the log keeps it. */
type JSONType = string | number | boolean | null | JSONType[] | { [key: string]: JSONType };
// z.json() with a name: its recursion named after itself in the OpenAPI document (z.json() leaves "__schema0").
const JsonValue: z.ZodType<JSONType> = z
  .union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(z.lazy(() => JsonValue)),
    z.record(
      z.string(),
      z.lazy(() => JsonValue),
    ),
  ])
  .meta({ id: "JsonValue" });

export const LogEntry = z
  .object({
    id: Id,
    taskId: Id,
    actorId: Id.nullable(),
    action: LogAction,
    field: z.string().nullable(),
    oldValue: JsonValue.nullable(),
    newValue: JsonValue.nullable(),
    createdAt: IsoDateTime,
  })
  .meta({ id: "LogEntry" });
export type LogEntry = z.infer<typeof LogEntry>;

export const LogPage = pageOf(LogEntry).meta({ id: "LogPage" });

export const LOG_ORDER_FIELDS = ["createdAt"] as const;

export const LogListQuery = listQuery({
  taskId: Id.optional(),
  actorId: Id.optional(),
  action: enumList(LOG_ACTIONS).optional(),
  field: text().max(64).optional(),
  since: dateInput("startOfDay").optional(),
  until: dateInput("endOfDay").optional(),
  ordering: orderingParam(LOG_ORDER_FIELDS, "-createdAt"),
});
export type LogListQuery = z.infer<typeof LogListQuery>;

export const TaskLogQuery = listQuery({ id: Id, ordering: orderingParam(LOG_ORDER_FIELDS, "-createdAt") });
