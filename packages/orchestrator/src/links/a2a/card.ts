import { DefaultAgentCardResolver } from '@a2a-js/sdk/client';
import type { AgentCard } from '@a2a-js/sdk';
import { KosError } from '@kos/protocol';

/** Bounds on fetching a card: a remote is a stranger until its card checks out. */
export interface CardFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Same-host redirects followed at most; one to another host is refused (the URL is what was vetted). */
  maxRedirects: number;
}

export const CARD_FETCH: CardFetchOptions = { timeoutMs: 5_000, maxBytes: 256 * 1024, maxRedirects: 3 };

/** A card that checked out: what kOS keeps (the JSON as fetched) and what it uses. */
export interface FetchedCard {
  /** The card's JSON as served, stored so a restart needs no fetch. */
  json: unknown;
  card: AgentCard;
  /** The JSON-RPC endpoint kOS sends messages to. */
  endpoint: string;
}

const unreachable = (url: string, why: string): KosError =>
  new KosError('KOS_ERR_A2A_CARD_UNREACHABLE', `the Agent Card at ${url} could not be fetched: ${why}`, {
    url,
  });

const invalid = (url: string, why: string): KosError =>
  new KosError('KOS_ERR_A2A_CARD_INVALID', `the Agent Card at ${url} is not usable: ${why}`, { url });

/** Parses and checks a card URL: http(s) only, no credentials in it. */
export function parseCardUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new KosError('KOS_ERR_VALIDATION', `${JSON.stringify(raw)} is not a URL`, { url: raw });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KosError('KOS_ERR_VALIDATION', `an Agent Card URL must be http(s), not ${url.protocol}`, {
      url: raw,
    });
  }
  if (url.username !== '' || url.password !== '') {
    throw new KosError('KOS_ERR_VALIDATION', 'an Agent Card URL must not carry credentials: use a token', {
      url: url.origin,
    });
  }
  return url;
}

/** GET with a deadline, following only same-host redirects, reading at most `maxBytes`. */
async function fetchBounded(url: URL, o: CardFetchOptions): Promise<string> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  let at = url;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetch(at, { redirect: 'manual', signal, headers: { accept: 'application/json' } });
    } catch (err) {
      const why = signal.aborted ? `no answer within ${o.timeoutMs} ms` : describe(err);
      throw unreachable(url.href, why);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const location = res.headers.get('location');
      const next = location === null ? null : new URL(location, at);
      if (next === null || next.host !== url.host || next.protocol !== url.protocol) {
        throw unreachable(url.href, `redirected to ${next?.origin ?? 'nowhere'}, another host`);
      }
      if (hop >= o.maxRedirects) throw unreachable(url.href, `more than ${o.maxRedirects} redirects`);
      at = next;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw unreachable(url.href, `HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > o.maxBytes) {
      await res.body?.cancel();
      throw invalid(url.href, `${declared} bytes, more than the ${o.maxBytes} allowed`);
    }
    return readAtMost(res, o.maxBytes, url.href);
  }
}

async function readAtMost(res: Response, maxBytes: number, url: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  if (!reader) return '';
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>;
    try {
      step = await reader.read();
    } catch (err) {
      throw unreachable(url, describe(err));
    }
    if (step.done) break;
    size += step.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw invalid(url, `more than the ${maxBytes} bytes allowed`);
    }
    chunks.push(step.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return cause ?? (err instanceof Error ? err.message : String(err));
}

/**
 * Checks a card's JSON (A2A 1.0, or 0.3 through the SDK's compat layer): a name, at least one
 * skill, and a JSON-RPC interface over http(s), which is the binding the bridge speaks.
 */
export function checkCard(json: unknown, url: string): FetchedCard {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid(url, 'not a JSON object');
  }
  let card: AgentCard;
  try {
    card = new DefaultAgentCardResolver({ legacyCompat: { enabled: true } }).normalizeAgentCard(json);
  } catch (err) {
    throw invalid(url, describe(err));
  }
  if (typeof card.name !== 'string' || card.name.trim() === '') throw invalid(url, 'it has no name');
  if (!Array.isArray(card.skills) || card.skills.length === 0) throw invalid(url, 'it lists no skills');
  const rpc = (card.supportedInterfaces ?? []).find(
    (i) => i.protocolBinding === 'JSONRPC' && /^https?:\/\//.test(i.url),
  );
  if (!rpc) throw invalid(url, 'it offers no JSON-RPC interface over http(s)');
  return { json, card, endpoint: rpc.url };
}

/** Fetches and checks the card at `url`; typed errors for an unreachable or unusable one. */
export async function fetchCard(raw: string, o: CardFetchOptions = CARD_FETCH): Promise<FetchedCard> {
  const url = parseCardUrl(raw);
  const text = await fetchBounded(url, o);
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    throw invalid(url.href, 'not valid JSON');
  }
  return checkCard(json, url.href);
}
