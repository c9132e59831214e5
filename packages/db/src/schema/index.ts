export * from "./activity-log";
export * from "./enums";
export * from "./refresh-tokens";
export * from "./task-counts";
export * from "./tasks";
export * from "./users";
