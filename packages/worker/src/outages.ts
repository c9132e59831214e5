import type { Redis } from "ioredis";
import type { Logger } from "pino";

/** Logs a connection's errors once per outage instead of once per reconnect attempt. */
export function reportOutages(connection: Redis, logger: Logger, name: string): void {
  let down = false;
  connection.on("error", (err) => {
    if (!down) logger.warn({ err: err.message, connection: name }, "redis unavailable; reconnecting");
    down = true;
  });
  connection.on("ready", () => {
    if (down) logger.info({ connection: name }, "redis reconnected");
    down = false;
  });
}
