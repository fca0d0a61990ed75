import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkedAddresses, type Lookup } from '../../security/index.ts';
import type { A2aPushConfig } from '../../store/records.ts';

export interface PushSenderOptions {
  allowlist: readonly string[];
  lookup: Lookup;
  /** Per attempt, connect to last byte. */
  timeoutMs: number;
  /** Attempts after the first, for a 5xx, a timeout or a connection error (not for 3xx/4xx). */
  retries: number;
  /** Delay before retry n: backoffMs × 2^(n-1). */
  backoffMs: number;
}

export const DEFAULT_PUSH_OPTIONS = { timeoutMs: 5_000, retries: 2, backoffMs: 250 } as const;

export type PushOutcome =
  | { kind: 'delivered'; status: number; attempts: number }
  | { kind: 'refused'; reason: string; attempts: number }
  | { kind: 'failed'; reason: string; attempts: number };

/**
 * Our own push sender (the SDK's default one checks no URL): before each attempt the URL is
 * checked against a2a.push_allowlist and its host resolved and judged (security/push-target.ts);
 * the connection then goes to the checked address only (a pinned lookup, so DNS cannot move it
 * in between). Redirects are not followed (a 3xx is a refusal: it could point anywhere), each
 * attempt has a timeout, and retries are bounded.
 */
export class PushSender {
  constructor(private readonly options: PushSenderOptions) {}

  async deliver(config: A2aPushConfig, body: string): Promise<PushOutcome> {
    const { retries, backoffMs } = this.options;
    let reason = '';
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 2)));
      let target: Awaited<ReturnType<typeof checkedAddresses>>;
      try {
        target = await checkedAddresses(config.url, this.options.allowlist, this.options.lookup);
      } catch (e) {
        return { kind: 'refused', reason: (e as Error).message, attempts: attempt };
      }
      const answer = await this.post(
        target.url,
        target.addresses[0] ?? { address: '', family: 4 },
        config,
        body,
      );
      if (answer.status !== undefined && answer.status >= 200 && answer.status < 300) {
        return { kind: 'delivered', status: answer.status, attempts: attempt };
      }
      if (answer.status !== undefined && answer.status < 500) {
        return {
          kind: 'refused',
          reason: `the receiver answered ${answer.status} (redirects are not followed)`,
          attempts: attempt,
        };
      }
      reason = answer.status === undefined ? answer.error : `the receiver answered ${answer.status}`;
    }
    return { kind: 'failed', reason, attempts: retries + 1 };
  }

  private post(
    url: URL,
    to: { address: string; family: number },
    config: A2aPushConfig,
    body: string,
  ): Promise<{ status: number; error: '' } | { status: undefined; error: string }> {
    const lookup: LookupFunction = (_host, opts, cb) => {
      if (opts.all === true) (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [to]);
      else cb(null, to.address, to.family);
    };
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
    };
    if (config.token !== null) headers['X-A2A-Notification-Token'] = config.token;
    if (config.authScheme !== null)
      headers['Authorization'] = `${config.authScheme} ${config.authCredentials ?? ''}`;
    const options: RequestOptions = { method: 'POST', headers, lookup, timeout: this.options.timeoutMs };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(url, options, (res) => {
        res.resume(); // the body is not read: only the status matters
        res.on('end', () => resolve({ status: res.statusCode ?? 0, error: '' }));
        res.on('error', (e) => resolve({ status: undefined, error: e.message }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      req.on('error', (e) => resolve({ status: undefined, error: e.message }));
      req.end(body);
    });
  }
}
