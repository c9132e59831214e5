import type { Page } from "@taskmgr/db/contracts";

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

export function pageRequest(query: { page?: number | undefined; pageSize: number }): PageRequest {
  const page = query.page ?? 1;
  return { page, pageSize: query.pageSize, offset: (page - 1) * query.pageSize };
}

export function toPage<T>(
  results: T[],
  count: number,
  { page, pageSize }: PageRequest,
  nextCursor: string | null = null,
): Page<T> {
  const totalPages = Math.ceil(count / pageSize);
  return {
    count,
    page,
    pageSize,
    totalPages,
    next: page < totalPages ? page + 1 : null,
    previous: page > 1 ? Math.min(page - 1, Math.max(totalPages, 1)) : null,
    nextCursor,
    results,
  };
}

/** A LIKE pattern matching `text` anywhere, with the user's %, _ and \ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
