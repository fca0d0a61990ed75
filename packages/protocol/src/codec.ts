import { Compile, type Validator } from 'typebox/compile';
import type { AnyEnvelope, Envelope, MessageType } from './envelope.ts';
import { parseKai } from './kai.ts';
import { ENVELOPE_SCHEMA, PAYLOAD_SCHEMAS } from './schemas.ts';

/**
 * Frame codec. decodeFrame is the first thing that touches bytes from the network, so it never
 * throws and accepts only what the rest of the system can handle safely: schema-valid envelopes
 * whose JSON is at most MAX_JSON_DEPTH deep, has no `__proto__` key, no number JSON.parse turned
 * into ±Infinity (1e400) and no lone surrogate, so canonicalJson of any decoded frame succeeds.
 */
export type FrameErrorCode = 'KOS_ERR_BAD_FRAME' | 'KOS_ERR_FRAME_TOO_LARGE';
export type Decoded =
  { ok: true; envelope: AnyEnvelope } | { ok: false; code: FrameErrorCode; message: string; id?: string };

export type FrameData = string | Uint8Array | ArrayBuffer | readonly Uint8Array[];

/** Deeper JSON is refused: canonicalJson and most consumers recurse. */
export const MAX_JSON_DEPTH = 64;

export function encodeFrame(env: Envelope): string {
  return JSON.stringify(env);
}

export function decodeFrame(data: FrameData, maxBytes: number): Decoded {
  try {
    return decode(data, maxBytes);
  } catch (e) {
    // Not expected: every step below reports its own failure. Kept so the contract holds regardless.
    return bad(`frame could not be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function decode(data: FrameData, maxBytes: number): Decoded {
  if (byteLength(data, maxBytes) > maxBytes) {
    return {
      ok: false,
      code: 'KOS_ERR_FRAME_TOO_LARGE',
      message: `frame is larger than the limit of ${maxBytes} bytes (limits.max_body_bytes)`,
    };
  }
  const text = toText(data);
  if (text === null) return bad('frame is not valid UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return bad(`frame is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return bad('frame must be a JSON object (an envelope)');
  }
  const id = readId(parsed);
  const withId = (message: string): Decoded => (id === undefined ? bad(message) : { ...bad(message), id });

  const unsafe = findUnsafeJson(parsed);
  if (unsafe !== null) return withId(unsafe);

  const record = parsed as Record<string, unknown>;
  const envelopeValidator = validators().envelope;
  if (!envelopeValidator.Check(parsed)) {
    const hint = record.v !== 1 ? ` (protocol version must be 1, got ${JSON.stringify(record.v)})` : '';
    return withId(`envelope does not match the schema${hint}: ${describe(envelopeValidator, parsed)}`);
  }
  const type = record.type as MessageType;
  const payloadValidator = validators().payloads[type];
  if (!payloadValidator.Check(record.payload)) {
    return withId(`${type} payload does not match its schema: ${describe(payloadValidator, record.payload)}`);
  }
  for (const field of ['from', 'to'] as const) {
    try {
      parseKai(record[field] as string);
    } catch (e) {
      return withId(`${field}: ${(e as Error).message}`);
    }
  }
  return { ok: true, envelope: parsed as AnyEnvelope };
}

function bad(message: string): { ok: false; code: 'KOS_ERR_BAD_FRAME'; message: string } {
  return { ok: false, code: 'KOS_ERR_BAD_FRAME', message };
}

/** UTF-8 size, computed without allocating; stops counting once past the limit. */
function byteLength(data: FrameData, maxBytes: number): number {
  if (typeof data === 'string') {
    // Every UTF-16 unit takes 1 to 3 UTF-8 bytes, so the length bounds the size on both sides.
    if (data.length > maxBytes) return data.length;
    if (data.length * 3 <= maxBytes) return data.length;
    let n = 0;
    for (let i = 0; i < data.length && n <= maxBytes; i++) {
      const c = data.charCodeAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3; // a surrogate pair counts 3+3 ≥ its 4 bytes: errs on refusing
    }
    return n;
  }
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (data instanceof Uint8Array) return data.byteLength;
  let n = 0;
  for (const chunk of data) n += chunk.byteLength;
  return n;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toText(data: FrameData): string | null {
  if (typeof data === 'string') return data;
  let bytes: Uint8Array;
  if (data instanceof ArrayBuffer || data instanceof Uint8Array) {
    bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  } else {
    bytes = new Uint8Array(data.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const chunk of data) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function readId(obj: object): string | undefined {
  const id = Object.hasOwn(obj, 'id') ? (obj as { id: unknown }).id : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined;
}

// In unicode mode a surrogate *pair* is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Walks the parsed JSON iteratively (no recursion, so no stack overflow on deep input). */
function findUnsafeJson(root: unknown): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth } = item;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return 'frame has a string with a lone UTF-16 surrogate';
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return 'frame has a number too large to represent';
    } else if (typeof value === 'object' && value !== null) {
      if (depth > MAX_JSON_DEPTH) return `frame is nested deeper than ${MAX_JSON_DEPTH} levels`;
      if (Array.isArray(value)) {
        for (const v of value) stack.push({ value: v, depth: depth + 1 });
      } else {
        for (const key of Object.keys(value)) {
          if (key === '__proto__') return 'frame has a "__proto__" key';
          if (LONE_SURROGATE.test(key)) return 'frame has a key with a lone UTF-16 surrogate';
          stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
        }
      }
    }
  }
  return null;
}

function describe(validator: Validator, value: unknown): string {
  try {
    const errors = validator.Errors(value);
    const relevant = errors.filter((e) => e.keyword !== 'boolean'); // "schema is false" repeats additionalProperties
    const shown = relevant
      .slice(0, 3)
      .map((e) =>
        e.keyword === 'additionalProperties'
          ? `${e.instancePath || '/'} has unknown fields ${e.params.additionalProperties.join(', ')}`
          : `${e.instancePath || '/'} ${e.message}`,
      );
    return shown.join('; ') + (relevant.length > 3 ? '; …' : '');
  } catch {
    return 'no detail available';
  }
}

interface Validators {
  envelope: Validator;
  payloads: Record<MessageType, Validator>;
}

let compiled: Validators | undefined;

/** Compiled on first use, so importing the package costs nothing until a frame is decoded. */
function validators(): Validators {
  if (compiled === undefined) {
    const payloads = {} as Record<MessageType, Validator>;
    for (const [type, schema] of Object.entries(PAYLOAD_SCHEMAS)) {
      payloads[type as MessageType] = Compile(schema);
    }
    compiled = { envelope: Compile(ENVELOPE_SCHEMA), payloads };
  }
  return compiled;
}
