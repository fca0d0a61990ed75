import { BlockList, isIP } from 'node:net';
import { KosError } from '@kos/protocol';

/**
 * Which push URLs kOS may POST to (a2a.push_allowlist), decided before any request: pure apart
 * from the DNS lookup it is given. An SSRF guard: the allowlist bounds where pushes go, and a
 * name that resolves to a private, loopback or link-local address (the cloud metadata service at
 * 169.254.169.254, a database on 10.x) is refused unless the entry names that address itself.
 */

/** Loopback, private, link-local, CGNAT, unspecified and multicast ranges, IPv4 and IPv6. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address: never treat it as a public one
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return PRIVATE.check(mapped, 'ipv4');
  return PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

const refused = (url: string, why: string) =>
  new KosError('KOS_ERR_A2A_PUSH_URL_REFUSED', `push URL ${url} refused: ${why}`, { url });

/** The host of a URL without IPv6 brackets. */
const bare = (host: string): string => host.replace(/^\[|\]$/g, '');

/**
 * The allowlist entry that admits `raw` (same origin, and the entry's path a prefix at a segment
 * boundary), or a typed refusal: KOS_ERR_A2A_PUSH_DISABLED when the list is empty,
 * KOS_ERR_A2A_PUSH_URL_REFUSED otherwise. Credentials in the URL are refused (they would be sent).
 */
export function allowlistEntryFor(raw: string, allowlist: readonly string[]): URL {
  if (allowlist.length === 0) {
    throw new KosError(
      'KOS_ERR_A2A_PUSH_DISABLED',
      'push notifications are off: a2a.push_allowlist is empty',
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(raw, 'not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(raw, 'only http and https');
  if (url.username !== '' || url.password !== '') throw refused(raw, 'credentials in the URL');
  for (const entry of allowlist) {
    const e = new URL(entry);
    if (e.origin !== url.origin) continue;
    const prefix = e.pathname;
    const rest = url.pathname.slice(prefix.length);
    if (url.pathname.startsWith(prefix) && (prefix.endsWith('/') || rest === '' || rest.startsWith('/')))
      return e;
  }
  throw refused(raw, 'not under any a2a.push_allowlist entry');
}

export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

/**
 * The addresses a push to `raw` may connect to: those its host resolves to, every one of them
 * public, or private ones only when the admitting entry names that very address (or `localhost`
 * for loopback). Throws the refusal otherwise. The sender connects to what this returned, so a
 * name that resolves differently a moment later (DNS rebinding) cannot redirect the request.
 */
export async function checkedAddresses(
  raw: string,
  allowlist: readonly string[],
  lookup: Lookup,
): Promise<{ url: URL; addresses: { address: string; family: number }[] }> {
  const entry = allowlistEntryFor(raw, allowlist);
  const url = new URL(raw);
  const host = bare(url.hostname);
  const family = isIP(host);
  let addresses: { address: string; family: number }[];
  if (family !== 0) addresses = [{ address: host, family }];
  else {
    try {
      addresses = await lookup(host);
    } catch {
      throw refused(raw, `its host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0) throw refused(raw, `its host ${host} does not resolve`);
  const named = bare(entry.hostname);
  for (const a of addresses) {
    if (!isPrivateAddress(a.address)) continue;
    const explicit =
      a.address === named || (named === 'localhost' && (a.address === '::1' || a.address.startsWith('127.')));
    if (!explicit) {
      throw refused(
        raw,
        `${host} resolves to the private or loopback address ${a.address}, which no entry names`,
      );
    }
  }
  return { url, addresses };
}
