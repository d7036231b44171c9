// The notebooks are committed executed, so that GitHub shows their outputs. This module makes
// an executed notebook fit to commit and checks that a committed one is current:
//
// - `normalizeNotebook` removes what changes from run to run without the notebook changing:
//   execution timestamps, the kernel's version, late-output bookkeeping, editor metadata,
//   random cell ids (renumbered c00, c01, ...), and the split of a cell's printed text into
//   stream messages (which depends on timing). A cell whose output cannot repeat (timings)
//   carries `"albert": {"volatileOutput": "<why>"}` in its metadata; its outputs are replaced
//   by one line saying so.
// - `serializeNotebook` writes nbformat's own layout (sorted keys, one-space indent, text as
//   lists of lines), so re-running and re-writing gives no diff.
// - `compareNotebooks` names each cell whose committed outputs differ from a fresh run's, and
//   where. Decimals may differ by one unit in their last shown digit, or by 1e-6 (a mean that
//   is zero up to float32 rounding), and colours by one step per channel; integers and text
//   must be equal. Native TensorFlow's kernels differ between CPUs in the last bits of
//   float32, which moves a rounded figure across a rounding boundary now and then.

/** Notebook metadata that says where or when it ran, not what it is. */
const VOLATILE_NOTEBOOK_METADATA = ["vscode", "widgets"];
/** Cell metadata written by Jupyter, nbclient and VS Code while running or editing. */
const VOLATILE_CELL_METADATA = ["execution", "ExecuteTime", "collapsed", "scrolled", "vscode"];

/** Text fields of nbformat may be a string or a list of lines; this is the string. */
export function joinText(value) {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

/** nbformat's layout of text: a list of lines, each with its newline. */
function splitLines(text) {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function isJsonMime(mime) {
  return mime === "application/json" || mime.endsWith("+json");
}

function without(record, keys) {
  const copy = { ...(record ?? {}) };
  for (const key of keys) delete copy[key];
  return copy;
}

/** The stored line that replaces a volatile cell's outputs. */
export function volatileNote(reason) {
  return `(output not stored: ${reason}; run the notebook to see it)\n`;
}

function normalizeOutputs(outputs) {
  const result = [];
  for (const output of outputs ?? []) {
    if (output.output_type === "stream") {
      const previous = result.at(-1);
      const text = joinText(output.text);
      // tslab sends each console.log as its own message, and timing decides how many a
      // message holds: consecutive text on one stream is one output.
      if (previous?.output_type === "stream" && previous.name === output.name)
        previous.text += text;
      else result.push({ name: output.name, output_type: "stream", text });
      continue;
    }
    const copy = without(output, ["transient"]);
    if (copy.data !== undefined) {
      copy.data = Object.fromEntries(
        Object.entries(copy.data).map(([mime, value]) => [
          mime,
          isJsonMime(mime) ? value : joinText(value),
        ]),
      );
    }
    if (copy.output_type === "error") copy.traceback = copy.traceback ?? [];
    result.push(copy);
  }
  return result;
}

/**
 * The notebook as it is committed: the same cells, sources and outputs, without what
 * changes between two runs of an unchanged notebook. Idempotent; the input is not modified.
 */
export function normalizeNotebook(notebook) {
  const metadata = without(notebook.metadata, VOLATILE_NOTEBOOK_METADATA);
  if (metadata.albert !== undefined) {
    metadata.albert = without(metadata.albert, ["lateOutputs"]);
  }
  if (metadata.language_info !== undefined) {
    metadata.language_info = without(metadata.language_info, ["version"]);
  }
  const cells = (notebook.cells ?? []).map((cell, index) => {
    const normalized = {
      ...cell,
      id: `c${String(index).padStart(2, "0")}`,
      metadata: without(cell.metadata, VOLATILE_CELL_METADATA),
      source: joinText(cell.source),
    };
    if (cell.cell_type !== "code") return normalized;
    const reason = normalized.metadata.albert?.volatileOutput;
    normalized.outputs =
      typeof reason === "string"
        ? [{ name: "stdout", output_type: "stream", text: volatileNote(reason) }]
        : normalizeOutputs(cell.outputs);
    normalized.execution_count = cell.execution_count ?? null;
    return normalized;
  });
  return { ...notebook, metadata, cells, nbformat: 4, nbformat_minor: 5 };
}

/** Objects with their keys sorted, recursively (nbformat writes `sort_keys=True`). */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

/** nbformat's file layout: text as lists of lines, sorted keys, indent 1, a final newline. */
export function serializeNotebook(notebook) {
  const withLines = {
    ...notebook,
    cells: notebook.cells.map((cell) => {
      const copy = { ...cell, source: splitLines(joinText(cell.source)) };
      if (cell.outputs !== undefined) {
        copy.outputs = cell.outputs.map((output) => {
          if (output.output_type === "stream")
            return { ...output, text: splitLines(joinText(output.text)) };
          if (output.data === undefined) return output;
          const data = Object.fromEntries(
            Object.entries(output.data).map(([mime, value]) => [
              mime,
              isJsonMime(mime) ? value : splitLines(joinText(value)),
            ]),
          );
          return { ...output, data };
        });
      }
      return copy;
    }),
  };
  return `${JSON.stringify(sortKeys(withLines), null, 1)}\n`;
}

/** How a cell is named in messages: its number and its first line of code. */
export function cellLabel(cell, index) {
  const first = joinText(cell.source).split("\n")[0].trim();
  return `cell ${index} (${first.length > 60 ? `${first.slice(0, 57)}...` : first})`;
}

/** One output as comparable text: its kind, then its content. */
function outputText(output) {
  if (output.output_type === "stream") return `[${output.name}] ${joinText(output.text)}`;
  if (output.output_type === "error") return `[error] ${output.ename}: ${output.evalue}`;
  const data = Object.entries(output.data ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([mime, value]) => `[${mime}] ${isJsonMime(mime) ? JSON.stringify(value) : joinText(value)}`,
    );
  return data.join("\n");
}

/** A number as printed (`-0.2835`, `2.467e-9`, `11`) or a colour (`#67001f`). */
const FIGURE = /(#[0-9a-fA-F]{6}(?![0-9a-zA-Z])|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/;
/** Differences below this are float32 noise around zero, whatever the figure's precision. */
const NOISE = 1e-6;

/** One unit in the last digit a number is printed with: 0.0001 for `-0.2835`, 1e-12 for
 * `2.467e-9`, 1 for `11`. */
function lastDigitUnit(figure) {
  const [, decimals = "", exponent = "0"] = /^-?\d+(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(figure);
  return 10 ** (Number(exponent) - decimals.length);
}

function sameFigure(a, b) {
  if (a === b) return true;
  if (a.startsWith("#") !== b.startsWith("#")) return false;
  if (a.startsWith("#")) {
    const channels = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const [x, y] = [channels(a), channels(b)];
    return x.every((v, i) => Math.abs(v - y[i]) <= 1);
  }
  // Counts, ids and positions are printed as integers and never come from rounding: exact.
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) return false;
  // The finer of the two units: a printed "0.5" may be 0.5000 with its zeros left off.
  const tolerance = Math.min(lastDigitUnit(a), lastDigitUnit(b)) * (1 + 1e-9) + NOISE;
  return Math.abs(Number(a) - Number(b)) <= tolerance;
}

/**
 * Whether two outputs say the same, up to the last printed digit of each decimal: the text
 * between numbers must be equal, integers too, and each decimal within one unit of its last
 * digit of the other's.
 */
export function sameUpToRounding(a, b) {
  if (a === b) return true;
  const [x, y] = [a.split(FIGURE), b.split(FIGURE)];
  if (x.length !== y.length) return false;
  // split() with a capturing group alternates text (even) and figures (odd).
  return x.every((part, i) => (i % 2 === 0 ? part === y[i] : sameFigure(part, y[i])));
}

/** Where two texts first differ, as a short excerpt of each around that place. */
export function firstDifference(committed, fresh, context = 40) {
  let at = 0;
  while (at < committed.length && at < fresh.length && committed[at] === fresh[at]) at++;
  const line = committed.slice(0, at).split("\n").length;
  const excerpt = (text) => {
    const start = Math.max(0, at - context);
    const end = Math.min(text.length, at + context);
    const body = JSON.stringify(text.slice(start, end));
    return `${start > 0 ? "…" : ""}${body}${end < text.length ? "…" : ""}`;
  };
  return `first difference at line ${line} of the output: committed ${excerpt(committed)}, fresh run ${excerpt(fresh)}`;
}

/**
 * Differences between a committed notebook and a fresh run of it, both normalized: one
 * message per cell whose outputs differ (empty when the committed outputs are current).
 */
export function compareNotebooks(committed, fresh) {
  const a = normalizeNotebook(committed);
  const b = normalizeNotebook(fresh);
  if (a.cells.length !== b.cells.length)
    return [`the fresh run has ${b.cells.length} cells, the committed notebook ${a.cells.length}`];
  const problems = [];
  a.cells.forEach((cell, index) => {
    const label = cellLabel(cell, index);
    const other = b.cells[index];
    if (cell.source !== other.source) {
      problems.push(`${label}: its source differs from the executed copy's`);
      return;
    }
    if (cell.cell_type !== "code") return;
    const before = cell.outputs.map(outputText);
    const after = other.outputs.map(outputText);
    if (before.length === 0 && after.length > 0) {
      problems.push(`${label}: no outputs are stored; a fresh run shows ${after.length}`);
      return;
    }
    const joinedBefore = before.join("\n---\n");
    const joinedAfter = after.join("\n---\n");
    if (!sameUpToRounding(joinedBefore, joinedAfter)) {
      const counts =
        before.length === after.length ? "" : ` (${before.length} stored, ${after.length} now)`;
      problems.push(
        `${label}: outputs differ${counts}; ${firstDifference(joinedBefore, joinedAfter)}`,
      );
    } else if (cell.execution_count !== other.execution_count) {
      problems.push(
        `${label}: stored execution count ${cell.execution_count}, a fresh run gives ${other.execution_count}`,
      );
    }
  });
  if (problems.length === 0) {
    const withoutOutputs = (nb) => ({
      ...nb,
      cells: nb.cells.map((cell) => ({ ...cell, outputs: undefined, execution_count: undefined })),
    });
    const [before, after] = [withoutOutputs(a), withoutOutputs(b)].map(serializeNotebook);
    if (before !== after)
      problems.push(`the notebook's metadata differs; ${firstDifference(before, after)}`);
  }
  return problems;
}
