/**
 * The streams a command reads and writes. Commands take them as a parameter instead of using
 * `process` directly, so the program can run inside another one (and the wiring stays visible).
 */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where relative paths are resolved. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    // A copy taken at start: loading native TensorFlow sets TF_CPP_MIN_LOG_LEVEL, and `doctor`
    // reports what the user set.
    env: { ...process.env },
  };
}

/** Reads a whole stream as bytes (decoding is the caller's, so bad bytes can be named). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

/** Writes and waits for the stream to take it, so large outputs do not pile up in memory. */
export function writeText(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
