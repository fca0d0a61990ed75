import { KosError } from './errors.ts';

/**
 * `kai://` addresses (docs/protocol.md, "Addresses"):
 *
 *     address   = "kai://" authority [ "/" path ]
 *     authority = label *( "." label ),  label = 1*63( ALPHA / DIGIT / "-" / "_" )
 *     path      = segment *( "/" segment ), segment = 1*( unreserved / pct-encoded )
 *
 * Each address has exactly one spelling: percent-encoding is accepted only where it is needed
 * (not for unreserved characters), with upper-case hex, and must decode to UTF-8. Without that,
 * `kai://agent/%41` and `kai://agent/A` would be two names for one identity.
 */
export interface KaiAddress {
  /** The dot-separated labels, e.g. `['agent', 'collector']`. */
  authority: string[];
  /** The decoded path segments, e.g. `['My Agent']` for `kai://agent/My%20Agent`. */
  path: string[];
}

export const ORCHESTRATOR_ADDRESS = 'kai://orchestrator';
export const KAI_MAX_LENGTH = 2048;

const LABEL = '[A-Za-z0-9_-]{1,63}';
const SEGMENT = '(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})+';
/** The grammar as one pattern, for the JSON Schemas; `parseKai` also checks the encoding is canonical. */
export const KAI_PATTERN = `^kai://${LABEL}(?:\\.${LABEL})*(?:/${SEGMENT})*$`;

const LABEL_RE = new RegExp(`^${LABEL}$`);
const ADDRESS_RE = new RegExp(KAI_PATTERN);

export function parseKai(s: string): KaiAddress {
  if (typeof s !== 'string' || s.length > KAI_MAX_LENGTH || !ADDRESS_RE.test(s)) {
    throw badAddress(s, 'it does not follow kai://label.label/segment (labels of A-Z a-z 0-9 - _)');
  }
  const [authority = '', ...raw] = s.slice('kai://'.length).split('/');
  const path: string[] = [];
  for (const segment of raw) {
    const decoded = decodeSegment(segment);
    if (decoded === null || encodeSegment(decoded) !== segment) {
      throw badAddress(
        s,
        `segment "${segment}" is not canonically percent-encoded (encode only reserved characters, upper-case hex, UTF-8)`,
      );
    }
    path.push(decoded);
  }
  return { authority: authority.split('.'), path };
}

export function formatKai(a: KaiAddress): string {
  if (a.authority.length === 0 || !a.authority.every((l) => LABEL_RE.test(l))) {
    throw new KosError(
      'KOS_ERR_BAD_ADDRESS',
      `authority labels ${JSON.stringify(a.authority)} must each be 1-63 of A-Z a-z 0-9 - _`,
      { authority: a.authority },
    );
  }
  const segments = a.path.map((p) => {
    const encoded = p === '' ? null : safeEncode(p);
    if (encoded === null) {
      throw new KosError(
        'KOS_ERR_BAD_ADDRESS',
        `path segment ${JSON.stringify(p)} is empty or not valid UTF-16`,
        {
          path: a.path,
        },
      );
    }
    return encoded;
  });
  const s = ['kai://' + a.authority.join('.'), ...segments].join('/');
  if (s.length > KAI_MAX_LENGTH) {
    throw badAddress(s.slice(0, 80) + '…', `it is longer than ${KAI_MAX_LENGTH} characters`);
  }
  return s;
}

/** `kai://agent.<name>` when the name is a valid label, else `kai://agent/<percent-encoded name>`. */
export function agentAddress(name: string): string {
  return LABEL_RE.test(name) ? `kai://agent.${name}` : formatKai({ authority: ['agent'], path: [name] });
}

/** The agent name an address denotes, or null when it is not an agent address in its one spelling. */
export function agentNameOf(address: string): string | null {
  let a: KaiAddress;
  try {
    a = parseKai(address);
  } catch {
    return null;
  }
  const [first, second] = a.authority;
  let name: string | undefined;
  if (first === 'agent' && a.authority.length === 2 && a.path.length === 0) name = second;
  else if (first === 'agent' && a.authority.length === 1 && a.path.length === 1) name = a.path[0];
  return name !== undefined && agentAddress(name) === address ? name : null;
}

/** encodeURIComponent leaves `!'()*` alone, but they are not unreserved in the grammar. */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'),
  );
}

function safeEncode(s: string): string | null {
  try {
    return encodeSegment(s);
  } catch {
    return null; // a lone surrogate
  }
}

function decodeSegment(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null; // bytes that are not UTF-8
  }
}

function badAddress(s: unknown, why: string): KosError {
  const shown = typeof s === 'string' ? JSON.stringify(s.length > 200 ? s.slice(0, 200) + '…' : s) : typeof s;
  return new KosError('KOS_ERR_BAD_ADDRESS', `address ${shown} is not a kai:// address: ${why}`);
}
