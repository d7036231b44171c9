/**
 * JSON text exactly as Python's `json.dumps(value, indent=4)` writes it, which is how KerasHub
 * writes `config.json` and `metadata.json`. JavaScript numbers do not say whether they were
 * floats in Python, so values that Python holds as floats are wrapped in `PythonFloat`
 * (`0.0`, `1e-05`), and plain numbers are written as integers when they are integral.
 */
export class PythonFloat {
  constructor(readonly value: number) {}
}

export type PythonJsonValue =
  | null
  | boolean
  | number
  | string
  | PythonFloat
  | PythonJsonValue[]
  | { [key: string]: PythonJsonValue | undefined };

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, exponentText] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
    const fraction = digits.slice(exponent + 1) || "0";
    return `${sign}${whole}.${fraction}`;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
  const exp = Math.abs(exponent).toString().padStart(2, "0");
  return `${sign}${digits[0]}${fraction}e${exponent < 0 ? "-" : "+"}${exp}`;
}

/** A JSON string literal with Python's default `ensure_ascii=True` escaping. */
function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function dump(value: PythonJsonValue | undefined, indent: string): string {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (value instanceof PythonFloat) return pythonFloatRepr(value.value);
  if (typeof value === "number") {
    return Number.isInteger(value) && Math.abs(value) < 2 ** 53
      ? value.toFixed(0)
      : pythonFloatRepr(value);
  }
  if (typeof value === "string") return pythonString(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + dump(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${pythonString(k)}: ${dump(v, inner)}`).join(",\n")}\n${indent}}`;
}

/**
 * `json.dumps(value, indent=4)`: four-space indent, `", "`-free separators at line ends,
 * `": "` after keys, no trailing newline, non-ASCII escaped.
 *
 * @example
 * pythonJsonDumps({ dropout: new PythonFloat(0), num_layers: 12 })
 * // '{\n    "dropout": 0.0,\n    "num_layers": 12\n}'
 */
export function pythonJsonDumps(value: PythonJsonValue): string {
  return dump(value, "");
}
