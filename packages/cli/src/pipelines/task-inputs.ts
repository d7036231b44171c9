import { InputLineError } from "../io/jsonl.js";

/** One input of a task command: its text fields and an optional `id` copied to the output. */
export interface TaskInput {
  fields: Record<string, string>;
  id?: string | number;
}

/** What a task's JSON lines hold: the fields a line needs and may have, and the field a bare
 * JSON string fills (none: a line must be an object). */
export interface TaskInputSpec {
  required: readonly string[];
  optional?: readonly string[];
  /** Other names accepted for a field (`text_a` for `text`, `text_b` for `text_pair`). */
  aliases?: Readonly<Record<string, string>>;
  stringField?: string;
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function expected(spec: TaskInputSpec): string {
  const object = `{${spec.required.map((f) => `"${f}": ...`).join(", ")}${(spec.optional ?? []).map((f) => `, "${f}"?`).join("")}, "id"?}`;
  return spec.stringField === undefined ? `expected ${object}` : `expected a JSON string or ${object}`;
}

/** Parses JSON lines (blank lines skipped) into a task's inputs, naming the first bad line. */
export function parseTaskLines(content: string, source: string, spec: TaskInputSpec): TaskInput[] {
  const hint = `Each line: ${expected(spec).replace(/^expected /, "")}.`;
  const inputs: TaskInput[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === "") return;
    const line = i + 1;
    const fail = (detail: string): never => {
      throw new InputLineError(source, line, detail, hint);
    };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      fail(`not valid JSON (${preview(raw)}); ${expected(spec)}`);
    }
    if (typeof value === "string" && spec.stringField !== undefined) {
      inputs.push({ fields: { [spec.stringField]: value } });
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail(`${expected(spec)}, got ${preview(raw)}`);
    const record = value as Record<string, unknown>;
    for (const [alias, field] of Object.entries(spec.aliases ?? {})) {
      if (record[alias] !== undefined && record[field] === undefined) record[field] = record[alias];
    }
    const fields: Record<string, string> = {};
    for (const key of [...spec.required, ...(spec.optional ?? [])]) {
      const v = record[key];
      if (v === undefined) {
        if (spec.required.includes(key)) fail(`"${key}" is missing; ${expected(spec)}`);
        continue;
      }
      if (typeof v !== "string") fail(`"${key}" must be a string, got ${JSON.stringify(v)}`);
      fields[key] = v as string;
    }
    const id = record["id"];
    if (id !== undefined && typeof id !== "string" && typeof id !== "number") fail(`"id" must be a string or a number, got ${JSON.stringify(id)}`);
    inputs.push({ fields, ...(id === undefined ? {} : { id: id as string | number }) });
  });
  return inputs;
}
