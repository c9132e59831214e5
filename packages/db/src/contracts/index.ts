export * from "./auth";
export * from "./common";
export * from "./enums";
export * from "./error";
export * from "./log";
export * from "./page";
export * from "./task";
export * from "./user";
