import { Writable } from "node:stream";

/** A stream that records what is written; `isTTY` as a terminal's or a pipe's. */
export function terminalStream(isTTY: boolean): Writable & { isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { isTTY: boolean; columns: number; text: () => string };
  s.isTTY = isTTY;
  s.columns = 100;
  s.text = () => chunks.join("");
  return s;
}
