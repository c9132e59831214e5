import { z } from "zod";

export const Id = z.uuid({ error: "expected a UUID" });

/**
 * Text that PostgreSQL stores as sent: no NUL (a text column refuses it) and no unpaired surrogate (UTF-8 has no
 * encoding for one, so it would come back as U+FFFD). Every free-text input is built on this.
 */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const text = () =>
  z.string().refine((s) => !s.includes("\u0000") && !UNPAIRED_SURROGATE.test(s), {
    message: "must not contain NUL characters or unpaired surrogates",
  });

/** Timestamps leave the server as ISO 8601 strings in UTC. */
export const IsoDateTime = z.iso.datetime({ offset: false });

const DATE_ONLY = z.iso.date();
const DATE_TIME = z.iso.datetime({ offset: true });
const LOCAL_DATE_TIME = z.iso.datetime({ local: true });

/**
 * The instants a date input may name, inclusive. PostgreSQL refuses year 0 (a 500); drizzle reads a timestamptz
 * back with new Date(text), which takes years 1-99 for two-digit years (0001-06-15 came back as 2015-01-06);
 * past 9999 a Date prints as "+010000-…", no ISO timestamp of the contract. Years 1000-9999 round-trip exactly on
 * both drivers (packages/db/test/dates.test.ts), well clear of the two-digit-year reading.
 */
export const EARLIEST_DATE = new Date("1000-01-01T00:00:00.000Z");
export const LATEST_DATE = new Date("9999-12-31T23:59:59.999Z");
const DATE_RANGE = `from ${EARLIEST_DATE.toISOString()} to ${LATEST_DATE.toISOString()}`;

/**
 * An ISO date-time, or a date alone. A date alone stands for the start or the end of that day in UTC,
 * whichever the field says (a due date is the end of its day). The range is checked on the instant, in UTC: an
 * offset can carry 9999-12-31T23:00-02:00 past the last year.
 */
export function dateInput(dateOnlyMeans: "startOfDay" | "endOfDay") {
  return z
    .string()
    .trim()
    .transform((value, ctx) => {
      if (DATE_ONLY.safeParse(value).success) {
        return new Date(`${value}T${dateOnlyMeans === "endOfDay" ? "23:59:59.999" : "00:00:00.000"}Z`);
      }
      const date = DATE_TIME.safeParse(value).success ? new Date(value) : null;
      if (!date || Number.isNaN(date.getTime())) {
        // A date-time without its offset would be read in whatever zone the reader assumes: refused, saying so.
        const message = LOCAL_DATE_TIME.safeParse(value).success
          ? "the date-time has no offset: add Z (UTC) or one such as +01:00"
          : "expected an ISO 8601 date (2026-12-01) or date-time (2026-12-01T17:00:00Z)";
        ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
      return date;
    })
    .refine((date) => date >= EARLIEST_DATE && date <= LATEST_DATE, {
      message: `must be ${DATE_RANGE}`,
    })
    .meta({
      description: `An ISO 8601 date-time, or a date alone (the ${dateOnlyMeans === "endOfDay" ? "end" : "start"} of that day in UTC); ${DATE_RANGE}`,
      examples: ["2026-12-01T17:00:00.000Z", "2026-12-01"],
      // What the field accepts, for the OpenAPI document: the schema zod would derive says only "string".
      override: {
        anyOf: [
          { type: "string", format: "date-time" },
          { type: "string", format: "date" },
        ],
      },
    });
}

/** A whole number from a JSON body or a query string ("20"); never coerces anything else. */
export function intParam(min: number, max: number) {
  return z
    .union([
      z.int(),
      z
        .string()
        .regex(/^\d{1,9}$/, "expected a whole number")
        .transform(Number),
    ])
    .pipe(z.int().min(min).max(max));
}

/** A boolean from a JSON body or a query string ("true" / "false" only). */
export const boolParam = z
  .union([
    z.boolean(),
    z.enum(["true", "false"], { error: "expected true or false" }).transform((v) => v === "true"),
  ])
  .pipe(z.boolean());

/** One value or several: an array from tRPC, a comma list from a query string (status=PENDING,OVERDUE). */
export function enumList<const T extends readonly [string, ...string[]]>(values: T) {
  const item = z.enum(values);
  // A union's own message is "Invalid input": this one lists what the field takes.
  const expected = `expected one or more of ${values.join(", ")} (comma-separated, or an array)`;
  return z.union(
    [
      z.array(item).min(1),
      z
        .string()
        .transform((s) =>
          s
            .split(",")
            .map((v) => v.trim())
            .filter(Boolean),
        )
        .pipe(z.array(item).min(1)),
    ],
    { error: expected },
  );
}

export interface OrderKey<F extends string> {
  field: F;
  desc: boolean;
}

/** `ordering=-priority,dueDate`: a comma list of fields, each optionally prefixed with `-`. */
export function orderingParam<const F extends readonly [string, ...string[]]>(fields: F, fallback: string) {
  return z
    .string()
    .max(200)
    .default(fallback)
    .transform((value, ctx): OrderKey<F[number]>[] => {
      const keys: OrderKey<F[number]>[] = [];
      for (const raw of value.split(",").map((v) => v.trim())) {
        const desc = raw.startsWith("-");
        const field = desc ? raw.slice(1) : raw;
        if (!(fields as readonly string[]).includes(field)) {
          ctx.addIssue({
            code: "custom",
            message: `unknown ordering field "${raw}"; use ${fields.join(", ")}, each optionally prefixed with -`,
          });
          return z.NEVER;
        }
        if (keys.some((k) => k.field === field)) {
          ctx.addIssue({ code: "custom", message: `ordering names "${field}" twice` });
          return z.NEVER;
        }
        keys.push({ field: field as F[number], desc });
      }
      return keys;
    });
}
