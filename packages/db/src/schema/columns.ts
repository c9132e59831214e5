import { timestamp } from "drizzle-orm/pg-core";

/** A timestamptz column read and written as a JS Date, at millisecond precision so a Date round-trips exactly. */
export const timestamptz = (name: string) =>
  timestamp(name, { withTimezone: true, mode: "date", precision: 3 });
