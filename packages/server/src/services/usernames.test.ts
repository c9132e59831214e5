import { describe, expect, it } from "vitest";
import { skeletonOf } from "./usernames";

// skeletonOf takes a username key: the name already in NFKC and lower-cased (users.username_key).
describe("username skeletons", () => {
  it("gives a name and its look-alikes one skeleton", () => {
    const admin = skeletonOf("admin");
    expect(skeletonOf("\u0430dmin")).toBe(admin); // Cyrillic а
    expect(skeletonOf("adm\u0456n")).toBe(admin); // Cyrillic і
    expect(skeletonOf("adrnin")).toBe(admin); // r + n for m
    expect(skeletonOf("admin\u1160")).toBe(admin); // an invisible Hangul filler at the end
  });

  it("tells names apart that only share letters", () => {
    const names = [
      "admin",
      "admin2",
      "amdin",
      "root",
      "ivan",
      "i\u0307van",
      "intern1",
      "intern10",
      "intern11",
    ];
    expect(new Set(names.map(skeletonOf)).size).toBe(names.length);
  });
});
