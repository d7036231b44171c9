import { ServeError } from "../errors.js";

/** The HTTP status for a failure: 4xx for what the client can fix, 503 for a busy or closing service. */
export function statusOf(error: unknown): number {
  if (error instanceof ServeError) {
    switch (error.code) {
      case "invalid_argument":
      case "input_too_long":
      case "invalid_input":
        return 400;
      case "queue_full":
        return 429;
      case "timeout":
      case "closing":
        return 503;
      case "aborted":
        return 499;
      default:
        return 500;
    }
  }
  const e = error as { statusCode?: unknown; validation?: unknown; name?: unknown };
  if (e.validation !== undefined) return 400;
  // The libraries' typed input errors are the client's to fix.
  if (e.name === "AlbertInputError" || e.name === "TokenizerError") return 400;
  if (e.name === "AlbertConfigError" && (error as { code?: unknown }).code === "invalid_argument") return 400;
  return typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
}

const BODY_LIMIT_CODE = "FST_ERR_CTP_BODY_TOO_LARGE";

/** The message a client sees: fastify's own for parser errors, rewritten to say what to do. */
export function messageOf(error: unknown, bodyLimit: number): string {
  const e = error as { code?: unknown; message?: unknown };
  const mib = bodyLimit / 1024 / 1024;
  switch (e.code) {
    case BODY_LIMIT_CODE:
      return `the request body is larger than the limit of ${bodyLimit} bytes (${Number.isInteger(mib) ? mib : mib.toFixed(2)} MiB); send fewer or shorter texts per request`;
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "the request body must be JSON: send it with Content-Type: application/json";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the request body is empty; send a JSON object";
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return "the request body is not valid JSON; send a JSON object";
  }
  if ((error as { name?: unknown }).name === "SyntaxError") return "the request body is not valid JSON; send a JSON object";
  return typeof e.message === "string" ? e.message : String(error);
}

/** The error body in the shape of the route's API: OpenAI's for `/v1/...`, text-embeddings-inference's for `/embed` and `/predict`. */
export function errorBody(url: string, status: number, message: string): unknown {
  if (url.startsWith("/v1/")) {
    return {
      error: {
        message,
        type: status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error",
        param: null,
        code: null,
      },
    };
  }
  if (url.startsWith("/embed") || url.startsWith("/predict")) {
    const type = status === 429 ? "Overloaded" : status === 413 || status === 400 ? "Validation" : status >= 500 ? "Backend" : "Validation";
    return { error: message, error_type: type };
  }
  return { error: message };
}
