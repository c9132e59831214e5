import { z } from "zod";

/** An on/off environment variable shared by the server's and the worker's configuration: true/false or 1/0. */
export const envFlag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === "true" || v === "1"));
