// The client's address: the TCP peer, or an X-Forwarded-For entry when the peer is a proxy TRUST_PROXY names.
import { BlockList, isIP } from "node:net";

/**
 * Which peers may tell the client's address. `hops: 0` trusts none: X-Forwarded-For is ignored. `hops: n`
 * trusts the peer and the n - 1 proxies before it, whatever their addresses. `proxies` trusts exactly the
 * peers whose address it holds, however many of them are chained.
 */
export type TrustedProxies = { hops: number } | { proxies: BlockList; cidrs: string[] };

/**
 * TRUST_PROXY's value: empty (trust none), a hop count, or a comma list of addresses and CIDRs
 * (`10.0.0.0/8, fd00::/8, 192.0.2.7`). Returns the problems instead when an entry is neither.
 */
export function parseTrustProxy(value: string | undefined): TrustedProxies | { problems: string[] } {
  const text = value?.trim() ?? "";
  if (text === "") return { hops: 0 };
  if (/^\d+$/.test(text)) return { hops: Number(text) };
  const proxies = new BlockList();
  const cidrs: string[] = [];
  const problems: string[] = [];
  for (const entry of text.split(",").map((e) => e.trim())) {
    const [address = "", length, ...rest] = entry.split("/");
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const prefix = length === undefined ? bits : /^\d{1,3}$/.test(length) ? Number(length) : -1;
    if (family === 0 || rest.length > 0 || prefix < 0 || prefix > bits) {
      problems.push(`"${entry}" is not a hop count, an IP address or a CIDR (10.0.0.0/8, fd00::/8)`);
      continue;
    }
    proxies.addSubnet(address, prefix, family === 6 ? "ipv6" : "ipv4");
    cidrs.push(`${address}/${prefix}`);
  }
  return problems.length > 0 ? { problems } : { proxies, cidrs };
}

const trusts = (proxies: BlockList, address: string): boolean => {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 6 ? "ipv6" : "ipv4");
};

/**
 * Walks from the peer leftwards through X-Forwarded-For (each proxy appends the address it saw) while the
 * address at hand is a trusted proxy, and answers the first one that is not: the right-most untrusted entry.
 * Entries left of it were written by the client, who can write anything there, so they are never read. An entry
 * that is no IP address ends the walk at the proxy that passed it on.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trust: TrustedProxies): string {
  if ("hops" in trust ? trust.hops === 0 : !trusts(trust.proxies, peer)) return peer;
  const chain = (forwardedFor ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)
    .reverse();
  let client = peer;
  for (const [i, entry] of chain.entries()) {
    if (isIP(entry) === 0) break;
    client = entry;
    const trusted = "hops" in trust ? i + 1 < trust.hops : trusts(trust.proxies, entry);
    if (!trusted) break;
  }
  return client;
}
