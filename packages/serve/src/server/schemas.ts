/**
 * JSON schemas of the routes: fastify validates requests with them (ajv) and
 * `@fastify/swagger` turns them into `/openapi.json`. Every field has a `description`, which
 * is also what a 400 says is allowed.
 */

const texts = (maxItems: number, name: string) => ({
  description: `a string or a non-empty array of at most ${maxItems} strings`,
  anyOf: [
    { type: "string", description: `one text` },
    { type: "array", items: { type: "string", description: "a text" }, minItems: 1, maxItems, description: `up to ${maxItems} texts (${name})` },
  ],
});

const vector = { type: "array", items: { type: "number" }, description: "a float32 vector" };

export function openAiEmbeddingsSchema(maxItems: number, hiddenDim: number) {
  return {
    summary: "Embeddings, in OpenAI's request and response shape",
    body: {
      type: "object",
      description: "a JSON object",
      required: ["input"],
      additionalProperties: false,
      properties: {
        input: texts(maxItems, "input"),
        model: { type: "string", description: "a model name (optional, not checked)" },
        encoding_format: { type: "string", enum: ["float", "base64"], description: '"float" or "base64" (little-endian float32 bytes)' },
        dimensions: { type: "integer", minimum: hiddenDim, maximum: hiddenDim, description: `${hiddenDim}, the model's width (no other is offered)` },
        user: { type: "string", description: "an end-user id (ignored)" },
        truncate: { type: "boolean", description: "true (default): cut texts longer than the sequence length; false: refuse them with 400" },
      },
    },
    response: {
      200: {
        type: "object",
        properties: {
          object: { type: "string", enum: ["list"] },
          data: {
            type: "array",
            items: {
              type: "object",
              properties: {
                object: { type: "string", enum: ["embedding"] },
                index: { type: "integer" },
                embedding: { anyOf: [vector, { type: "string", description: "base64 float32" }] },
              },
            },
          },
          model: { type: "string" },
          usage: { type: "object", properties: { prompt_tokens: { type: "integer" }, total_tokens: { type: "integer" } } },
        },
      },
    },
  };
}

export function teiEmbedSchema(maxItems: number) {
  return {
    summary: "Embeddings, in text-embeddings-inference's request and response shape",
    body: {
      type: "object",
      description: "a JSON object",
      required: ["inputs"],
      additionalProperties: false,
      properties: {
        inputs: texts(maxItems, "inputs"),
        normalize: { type: "boolean", description: "true (default): unit-length vectors; false: as pooled" },
        truncate: { type: "boolean", description: "true (default): cut texts longer than the sequence length; false: refuse them with 400" },
        truncation_direction: { type: "string", enum: ["Right", "right"], description: '"Right" (only right truncation is offered)' },
        prompt_name: { type: "null", description: "null (prompts are not offered)" },
      },
    },
    response: { 200: { type: "array", items: vector } },
  };
}

export function predictSchema(maxItems: number, tasks: string) {
  return {
    summary: `Runs the served pipeline (${tasks}) on the inputs, with transformers' results`,
    body: {
      type: "object",
      description: "a JSON object",
      required: ["inputs"],
      additionalProperties: false,
      properties: {
        inputs: {
          description: `a text, a question-answering pair {question, context}, or a non-empty array of at most ${maxItems} of them`,
          anyOf: [
            { type: "string" },
            { type: "object" },
            { type: "array", minItems: 1, maxItems, items: { anyOf: [{ type: "string" }, { type: "object" }, { type: "array" }] } },
          ],
        },
        parameters: { type: "object", description: "the pipeline's options (for example topK)" },
      },
    },
  };
}
