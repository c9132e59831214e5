import { z } from "zod";
import { intParam, text } from "./common";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** The paging part of every list query. */
const pageParams = {
  page: intParam(1, 10_000_000).optional(),
  pageSize: intParam(1, MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: text().min(1).max(2000).optional(),
};

/**
 * Every list's query: its own filters, the paging parameters, unknown keys refused, and a cursor or a page
 * number, not both (a 400 naming `cursor`). One builder, so that no list can miss a rule.
 */
export function listQuery<const S extends z.ZodRawShape>(filters: S) {
  // The generic shape hides the paging fields from the checker; they are there (pageParams).
  const bothGiven = (q: unknown) => {
    const paging = q as { cursor?: string; page?: number };
    return Boolean(paging.cursor && paging.page);
  };
  return z.strictObject({ ...filters, ...pageParams }).refine((q) => !bothGiven(q), {
    path: ["cursor"],
    message: "send either cursor or page, not both",
  });
}

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    count: z.int(),
    page: z.int(),
    pageSize: z.int(),
    totalPages: z.int(),
    next: z.int().nullable(),
    previous: z.int().nullable(),
    nextCursor: z.string().nullable(),
    results: z.array(item),
  });
}

export interface Page<T> {
  count: number;
  page: number;
  pageSize: number;
  totalPages: number;
  next: number | null;
  previous: number | null;
  nextCursor: string | null;
  results: T[];
}
