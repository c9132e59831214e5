// Every write to a task and to the activity log: the server's task service and the overdue sweep (server or
// worker) both write through this module, each change with its entries in one transaction.
export { taskFromStored, toLogEntry, toTask } from "./dto";
export { EVENTS_CHANNEL, relayEvents } from "./events";
export { insertLogEntries, type LogEntriesFrom, type NewLogEntry } from "./log";
export { DEFAULT_SWEEP_BATCH_SIZE, type SweepOptions, type SweepResult, sweepOverdue } from "./overdue-sweep";
export {
  byIds,
  deleteTask,
  deleteTasks,
  insertTask,
  lockTask,
  lockTasks,
  type TaskChange,
  type TaskField,
  type TaskFields,
  updateTask,
  updateTasks,
} from "./writes";
