import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustProxy, type TrustedProxies } from "./client-address";

const trust = (value: string | undefined): TrustedProxies => {
  const parsed = parseTrustProxy(value);
  if ("problems" in parsed) throw new Error(parsed.problems.join("; "));
  return parsed;
};

describe("client address", () => {
  it("is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("198.51.100.7", "203.0.113.1", trust(undefined))).toBe("198.51.100.7");
    expect(clientAddress("198.51.100.7", "203.0.113.1", trust("0"))).toBe("198.51.100.7");
  });

  it("with one trusted hop, is the right-most X-Forwarded-For entry, not the forged left-most", () => {
    expect(clientAddress("10.0.0.2", "203.0.113.1", trust("1"))).toBe("203.0.113.1");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 203.0.113.1", trust("1"))).toBe("203.0.113.1");
    expect(clientAddress("10.0.0.2", undefined, trust("1"))).toBe("10.0.0.2");
  });

  it("with two trusted hops, skips the inner proxy's entry", () => {
    expect(clientAddress("10.0.0.2", "6.6.6.6, 203.0.113.1, 10.0.0.9", trust("2"))).toBe("203.0.113.1");
  });

  it("with trusted CIDRs, is the right-most entry outside them", () => {
    const proxies = trust("10.0.0.0/8, fd00::/8");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 203.0.113.1, 10.0.0.9, fd00::3", proxies)).toBe("203.0.113.1");
    expect(clientAddress("::ffff:10.0.0.2", "203.0.113.1", proxies)).toBe("203.0.113.1");
    expect(clientAddress("fd00::1", "2001:db8::5", proxies)).toBe("2001:db8::5");
  });

  it("ignores X-Forwarded-For from a peer outside the trusted CIDRs", () => {
    expect(clientAddress("198.51.100.7", "203.0.113.1", trust("10.0.0.0/8"))).toBe("198.51.100.7");
  });

  it("stops at the proxy when the entry it passed on is no address", () => {
    expect(clientAddress("10.0.0.2", "203.0.113.1, unknown", trust("10.0.0.0/8"))).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "garbage", trust("1"))).toBe("10.0.0.2");
  });

  it("a bare address trusts that host alone", () => {
    const one = trust("10.0.0.2");
    expect(clientAddress("10.0.0.2", "203.0.113.1", one)).toBe("203.0.113.1");
    expect(clientAddress("10.0.0.3", "203.0.113.1", one)).toBe("10.0.0.3");
  });

  it("names every entry that is neither an address nor a CIDR", () => {
    expect(parseTrustProxy("10.0.0.0/8, 10.0.0.0/33, example.com, fd00::/129, 1.2.3.4/8/8")).toEqual({
      problems: [
        expect.stringContaining('"10.0.0.0/33"'),
        expect.stringContaining('"example.com"'),
        expect.stringContaining('"fd00::/129"'),
        expect.stringContaining('"1.2.3.4/8/8"'),
      ],
    });
  });
});
