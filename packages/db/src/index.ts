export * from "./advisory-locks";
export * from "./client";
export * from "./env";
export * from "./errors";
export * from "./migrate";
export * from "./schema";
