import { z } from "zod";
import { enumList, Id, IsoDateTime, text } from "./common";
import { Task } from "./task";

export const EVENT_TYPES = ["task.created", "task.updated", "task.deleted", "task.overdue"] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

export const EventChange = z.object({ field: z.string(), oldValue: z.json(), newValue: z.json() });

/** An activity-log entry as an event (API.md, Events): `id` is the entry's id, `task` the task after the change. */
export const TaskEvent = z
  .object({
    id: Id,
    type: EventType,
    occurredAt: IsoDateTime,
    taskId: Id,
    actorId: Id.nullable(),
    changes: z.array(EventChange),
    task: Task,
  })
  .meta({ id: "TaskEvent" });
export type TaskEvent = z.infer<typeof TaskEvent>;

/** Which events a stream carries, and where it resumes. */
export const EventsQuery = z.strictObject({
  type: enumList(EVENT_TYPES).optional(),
  taskId: Id.optional(),
  lastEventId: text().max(100).optional().meta({
    description: "resume after this event id (REST: the Last-Event-ID header); without it, from now on",
  }),
});
export type EventsQuery = z.infer<typeof EventsQuery>;
