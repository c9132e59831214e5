/** Fixed limits of the HTTP surface; the tunable ones are in config.ts. README, Security, lists them all. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_QUERY_CHARS = 4096;
/**
 * A tRPC batch's answers together, in characters of JSON (jsonSize). A single call's answer is bounded by the
 * contract (100 tasks of at most 10,200 characters, each escaped to at most six: about 6 M; a log page, whose
 * entries hold whole tasks, about twice that), so every single call gets through, and a batch cannot multiply
 * it: at most this, plus the one call that crossed it.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** A caller's budget (RATE_LIMIT_CALLS) is spent one unit per call, and one more per this much body or answer. */
export const BUDGET_UNIT_CHARS = 16 * 1024;

/**
 * At most how many characters of JSON a value is: the lengths of its strings and keys, a control character,
 * quote or backslash counted as the six of an escape, and a few for the rest. Walking the value costs a small
 * part of serialising it a second time.
 */
export function jsonSize(value: unknown): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") size += stringSize(v);
    else if (Array.isArray(v)) {
      size += 2 + v.length;
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === "object") {
      size += 2;
      for (const [key, item] of Object.entries(v)) {
        size += stringSize(key) + 2;
        stack.push(item);
      }
    } else size += 24;
  }
  return size;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what JSON escapes.
const ESCAPED = /[\u0000-\u001f"\\]/g;

function stringSize(s: string): number {
  ESCAPED.lastIndex = 0;
  if (!ESCAPED.test(s)) return s.length + 2;
  const escapes = s.length - s.replace(ESCAPED, "").length;
  return s.length + 2 + 5 * escapes;
}
