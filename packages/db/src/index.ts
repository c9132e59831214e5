export * from "./advisory-locks";
export * from "./client";
export { DataDirInUseError } from "./driver/data-dir-lock";
export { MAX_PREPARED_TEXTS } from "./driver/prepared-statements";
export * from "./env";
export * from "./errors";
export * from "./migrate";
export * from "./schema";
