import { KosError, isKosError, type ErrorCode } from '@kos/protocol';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message: string;
  validation?: { instancePath?: string; message?: string; params?: unknown }[];
  validationContext?: string;
}

/** Fastify's own errors → our registry, so every answer carries a KOS_ERR_* code. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'KOS_ERR_BAD_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'KOS_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'KOS_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'KOS_ERR_BAD_JSON',
};

export function toKosError(err: unknown): KosError {
  if (isKosError(err)) return err;
  const e = err as FastifyLikeError;
  if (e.validation) {
    const problems = e.validation.map(
      (v) => `${e.validationContext ?? 'body'}${v.instancePath ?? ''} ${v.message ?? 'is invalid'}`,
    );
    return new KosError('KOS_ERR_VALIDATION', `invalid request: ${problems.join('; ')}`, { problems });
  }
  const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) return new KosError(mapped, e.message);
  if (err instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message))) {
    return new KosError('KOS_ERR_BAD_JSON', `the body is not valid JSON: ${e.message}`);
  }
  if (e.statusCode === 413) return new KosError('KOS_ERR_BODY_TOO_LARGE', e.message);
  if (e.statusCode === 415) return new KosError('KOS_ERR_UNSUPPORTED_MEDIA_TYPE', e.message);
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return new KosError('KOS_ERR_VALIDATION', e.message);
  }
  return new KosError('KOS_ERR_INTERNAL', 'internal error; see the orchestrator log');
}
