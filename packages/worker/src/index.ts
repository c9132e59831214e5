export { reportOutages } from "./outages";
export { createSweepQueue, QUEUE_NAME, SWEEP_SCHEDULER_ID } from "./queue";
export { type Sweeper, type SweeperOptions, startSweeper, sweepSettings } from "./runtime";
