import { Ajv, type Options } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

/**
 * Bodies are validated strictly (a string is never coerced into a list or a number), while query
 * strings and path parameters — always text on the wire — are coerced to the schema's types.
 */
const common: Options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };
const strictBodies = new Ajv({ ...common, coerceTypes: false });
const coercedParams = new Ajv({ ...common, coerceTypes: true });

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strictBodies : coercedParams).compile(schema as object);

/** A body validator for a schema outside a route (an A2A data part is a REST body), strict as bodies are. */
export const compileBodyValidator = (schema: object) => strictBodies.compile(schema);
