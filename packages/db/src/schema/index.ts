export * from "./activity-log";
export * from "./api-keys";
export * from "./enums";
export * from "./idempotency-keys";
export * from "./refresh-tokens";
export * from "./task-counts";
export * from "./tasks";
export * from "./users";
