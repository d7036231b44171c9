import type { FastifySchemaValidationError } from "fastify";
import { describeValue } from "../errors.js";

/** ajv's error with `verbose: true`: the failing value and its schema. */
interface VerboseError extends FastifySchemaValidationError {
  data?: unknown;
  parentSchema?: { description?: string };
}

/** `/input/3` → `input[3]`, under the part of the request it is in (`body`). */
function fieldPath(dataVar: string, instancePath: string): string {
  const parts = instancePath.split("/").slice(1);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : `${path}.${part}`), dataVar);
}

/**
 * One clear sentence for a request that fails its JSON schema, naming the field, what it got
 * and what is allowed (the schema's `description`), instead of ajv's list of every branch that
 * did not match.
 */
export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const all = errors as VerboseError[];
  // For anyOf, ajv reports each branch's failure and then the anyOf itself, whose schema
  // describes what is allowed; otherwise the first error is the one that stopped validation.
  const error = all.find((e) => e.keyword === "anyOf" || e.keyword === "oneOf") ?? all[0]!;
  const where = fieldPath(dataVar, error.instancePath);
  const params = error.params as Record<string, unknown>;
  let message: string;
  if (error.keyword === "additionalProperties") {
    message = `${where} has an unknown field ${JSON.stringify(params["additionalProperty"])}`;
  } else if (error.keyword === "required") {
    message = `${where} must have the field ${JSON.stringify(params["missingProperty"])}`;
  } else {
    const allowed = error.parentSchema?.description;
    message =
      allowed === undefined
        ? `${where} ${error.message ?? "is not valid"}, got ${describeValue(error.data)}`
        : `${where} must be ${allowed}, got ${describeValue(error.data)}`;
  }
  return new Error(message);
}
