import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** The Docker image's NODE_OPTIONS (heap bounds), read from the Dockerfile so tests run what the image runs. */
export const imageNodeOptions =
  /^ENV NODE_OPTIONS="([^"]*)"/m.exec(
    readFileSync(resolve(import.meta.dirname, "../../../Dockerfile"), "utf8"),
  )?.[1] ?? "";
