import { pino } from "pino";

export type Logger = pino.Logger;

/** JSON lines in production and pipes; pretty output when a person watches a terminal. */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: ["*.password", "*.currentPassword", "*.refresh", "*.access", "req.headers.authorization"],
    },
    ...(pretty ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l" } } } : {}),
  });
}
