export * from "./activity-log";
export * from "./enums";
export * from "./refresh-tokens";
export * from "./tasks";
export * from "./users";
