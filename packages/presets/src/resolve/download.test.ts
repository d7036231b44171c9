import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  defaultCommit,
  startHubServer,
  type HubServer,
  type RecordedRequest,
} from "@albert/test-utils";
import { PresetError } from "../errors.js";
import { resolvePreset } from "../resolve.js";
import { FAST, fixtureFiles, useHubEnv } from "../test-utils/hub-env.js";
import type { DownloadProgress } from "./progress.js";

let server: HubServer;
const TINY = fixtureFiles(["hf", "tiny"]);
const weights = TINY["model.safetensors"] as Buffer;
const commit = defaultCommit("test/tiny");

beforeAll(async () => {
  server = await startHubServer({ hf: { "test/tiny": { files: TINY } } });
});
afterAll(() => server.close());
const env = useHubEnv(() => server);

const isWeightsGet = (r: RecordedRequest) => r.method === "GET" && r.url.startsWith("/cdn/");
const weightGets = () => server.requests.filter(isWeightsGet);

async function downloadedWeights(options = {}): Promise<Buffer> {
  const dir = await resolvePreset("hf://test/tiny", { ...FAST, ...options });
  return readFileSync(path.join(dir, "model.safetensors"));
}

describe("downloads survive flaky networks", () => {
  test("a connection reset mid-file is resumed with a Range request", async () => {
    server.faults.push({ match: isWeightsGet, kind: "reset", afterBytes: 1000 });
    expect((await downloadedWeights()).equals(weights)).toBe(true);
    expect(weightGets().map((r) => r.range)).toEqual([undefined, "bytes=1000-"]);
  });

  test("a server that ignores Range and sends everything again: the file starts over", async () => {
    server.faults.push({ match: isWeightsGet, kind: "reset", afterBytes: 1000 });
    server.faults.push({
      match: (r) => isWeightsGet(r) && r.range !== undefined,
      kind: "ignore-range",
    });
    expect((await downloadedWeights()).equals(weights)).toBe(true);
    expect(weightGets().map((r) => r.range)).toEqual([undefined, "bytes=1000-"]);
  });

  test("a 500 answer, then success (metadata and data requests)", async () => {
    server.faults.push({ match: (r) => r.method === "HEAD", kind: "status", status: 500 });
    server.faults.push({ match: isWeightsGet, kind: "status", status: 503, times: 2 });
    expect((await downloadedWeights()).equals(weights)).toBe(true);
    expect(weightGets()).toHaveLength(3);
  });

  test("a truncated body (fewer bytes than announced) is completed", async () => {
    server.faults.push({ match: isWeightsGet, kind: "wrong-length", delta: -500 });
    expect((await downloadedWeights()).equals(weights)).toBe(true);
    expect(weightGets().map((r) => r.range)).toEqual([undefined, `bytes=${weights.length - 500}-`]);
  });

  test("a Content-Length larger than the body sent", async () => {
    server.faults.push({ match: isWeightsGet, kind: "wrong-length", delta: 1000 });
    expect((await downloadedWeights()).equals(weights)).toBe(true);
    expect(weightGets().length).toBe(2);
  });

  test("a stalled server times out and the download is retried", async () => {
    server.faults.push({ match: isWeightsGet, kind: "stall", afterBytes: 2000, ms: 5_000 });
    const started = Date.now();
    expect((await downloadedWeights({ timeoutMs: 300 })).equals(weights)).toBe(true);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(weightGets().map((r) => r.range)).toEqual([undefined, "bytes=2000-"]);
  });

  test("a server that keeps stalling fails with a message that says what happened", async () => {
    server.faults.push({
      match: isWeightsGet,
      kind: "stall",
      afterBytes: 10,
      ms: 5_000,
      times: 10,
    });
    const error = await downloadedWeights({ timeoutMs: 200, retries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PresetError);
    expect((error as PresetError).code).toBe("download_failed");
    expect((error as PresetError).message).toMatch(
      /Downloading model.safetensors of hf:\/\/test\/tiny failed after 2 attempts: .*no data from http:\/\/127\.0\.0\.1:\d+\/cdn\/[0-9a-f]+ for 200 ms/,
    );
    expect((error as PresetError).message).not.toContain("signature");
  });

  test("corrupted data is detected by its hash and downloaded again", async () => {
    server.faults.push({ match: isWeightsGet, kind: "corrupt" });
    expect((await downloadedWeights()).equals(weights)).toBe(true);
    expect(weightGets()).toHaveLength(2);
  });

  test("data that stays corrupt is refused: nothing is left looking complete", async () => {
    server.faults.push({ match: isWeightsGet, kind: "corrupt", times: 2 });
    const error = await downloadedWeights().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "integrity_error",
      message: expect.stringMatching(
        /model.safetensors of hf:\/\/test\/tiny: the downloaded data's sha256 is [0-9a-f]{64}, the server announced/,
      ),
    });
    // Nothing is marked complete: the next (healthy) attempt downloads the weights again.
    server.requests.length = 0;
    expect((await downloadedWeights()).equals(weights)).toBe(true);
    expect(weightGets()).toHaveLength(1);
  });

  test("a partial file left by an interrupted run is resumed", async () => {
    const dir = path.join(env.home, "hf", "models--test--tiny", "snapshots", commit);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "model.safetensors.incomplete"), weights.subarray(0, 3000));
    expect((await downloadedWeights()).equals(weights)).toBe(true);
    expect(weightGets().map((r) => r.range)).toEqual(["bytes=3000-"]);
  });

  test("errors that retrying cannot fix are not retried", async () => {
    server.faults.push({ match: isWeightsGet, kind: "status", status: 403 });
    const error = await downloadedWeights().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "access_denied" });
    expect(weightGets()).toHaveLength(1);
  });

  test("onProgress reports each file up to its size; no bar when stderr is not a terminal", async () => {
    const events: DownloadProgress[] = [];
    await resolvePreset("hf://test/tiny", {
      ...FAST,
      progressBar: undefined,
      onProgress: (p) => events.push(p),
    });
    const weightEvents = events.filter((e) => e.file === "model.safetensors");
    expect(weightEvents.length).toBeGreaterThan(0);
    expect(
      weightEvents.every((e) => e.handle === "hf://test/tiny" && e.total === weights.length),
    ).toBe(true);
    expect(weightEvents.at(-1)!.loaded).toBe(weights.length);
    const loaded = weightEvents.map((e) => e.loaded);
    expect([...loaded].sort((a, b) => a - b)).toEqual(loaded);
    expect(events.some((e) => e.file === "config.json")).toBe(true);
  });
});
