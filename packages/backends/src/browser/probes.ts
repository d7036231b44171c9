// What a page can tell about each backend before loading it: WebGPU's adapter, WebGL2's
// renderer and float32 render targets, WebAssembly's SIMD and threads. Software renderers
// (SwiftShader, llvmpipe) run shaders on the CPU, many times slower than WebAssembly there.

// The DOM and WebGPU parts used here (the project's TypeScript settings have no DOM lib).
interface GpuAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapter {
  info?: GpuAdapterInfo;
  isFallbackAdapter?: boolean;
}
interface NavigatorLike {
  gpu?: { requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapter | null> };
  hardwareConcurrency?: number;
}
interface WebGlContext {
  getExtension(name: string): unknown;
  getParameter(parameter: number): unknown;
}
interface CanvasLike {
  getContext(kind: "webgl2", options?: Record<string, unknown>): WebGlContext | null;
}
interface Globals {
  navigator?: NavigatorLike;
  document?: { createElement(tag: "canvas"): CanvasLike };
  OffscreenCanvas?: new (width: number, height: number) => CanvasLike;
  WebAssembly?: { validate(bytes: Uint8Array): boolean };
  crossOriginIsolated?: boolean;
}

const g = globalThis as unknown as Globals;

/** What a probe found: usable or not, why not, and whether it runs on the CPU after all. */
export interface Probe {
  ok: boolean;
  /** Why it cannot run here (when `ok` is false). */
  reason?: string;
  /** A software renderer: it runs, but slower than WebAssembly (`"auto"` passes it over). */
  software?: boolean;
  /** "gpu: NVIDIA GeForce ...", "gpu: SwiftShader (software)". */
  device?: string;
}

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

// === WebGPU ===

/** Asks for a WebGPU adapter (async, as WebGPU is). */
export async function probeWebGpu(): Promise<Probe> {
  const gpu = g.navigator?.gpu;
  if (gpu === undefined) {
    return {
      ok: false,
      reason:
        "navigator.gpu is missing: this browser has no WebGPU, or it is off (it needs a secure context: https or localhost)",
    };
  }
  let adapter: GpuAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    return { ok: false, reason: `requestAdapter() failed: ${(error as Error).message}` };
  }
  if (adapter === null) return { ok: false, reason: "requestAdapter() found no WebGPU adapter (no GPU, or it is blocklisted)" };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter((s) => s !== undefined && s !== "").join(" ");
  const software = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || SOFTWARE.test(name);
  return { ok: true, software, device: `gpu: ${name || "unknown adapter"}${software ? " (software)" : ""}` };
}

// === WebGL ===

const UNMASKED_RENDERER = 0x9246;
const RENDERER = 0x1f01;

function webGl2Context(): WebGlContext | null {
  try {
    const canvas = g.OffscreenCanvas !== undefined ? new g.OffscreenCanvas(1, 1) : g.document?.createElement("canvas");
    return canvas?.getContext("webgl2", { failIfMajorPerformanceCaveat: false }) ?? null;
  } catch {
    return null;
  }
}

/** WebGL2 with float32 render targets (TF.js' 16-bit fallback would lose the model's precision). */
export function probeWebGl(): Probe {
  const gl = webGl2Context();
  if (gl === null) return { ok: false, reason: "this browser gives no WebGL2 context (no GPU, or WebGL is off)" };
  if (gl.getExtension("EXT_color_buffer_float") === null) {
    return {
      ok: false,
      reason: "WebGL2 has no float32 render targets (EXT_color_buffer_float): results in 16-bit textures would not be ALBERT's",
    };
  }
  const debug = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = String(gl.getParameter(debug === null ? RENDERER : UNMASKED_RENDERER) ?? "unknown renderer");
  const software = SOFTWARE.test(renderer);
  return { ok: true, software, device: `gpu: ${renderer}${software ? " (software)" : ""}` };
}

// === WebAssembly ===

// The module TF.js validates to choose its SIMD build (WASM_HAS_SIMD_SUPPORT, from
// wasm-feature-detect).
const SIMD_PROBE = Uint8Array.from([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
]);

export function probeWasm(): Probe & { simd: boolean; threads: boolean } {
  const wasm = g.WebAssembly;
  if (wasm === undefined) return { ok: false, reason: "this browser has no WebAssembly", simd: false, threads: false };
  let simd: boolean;
  try {
    simd = wasm.validate(SIMD_PROBE);
  } catch {
    simd = false;
  }
  return { ok: true, device: "cpu", simd, threads: crossOriginIsolated() };
}

/** Whether the page may share memory with workers (COOP + COEP), which threaded wasm needs. */
export function crossOriginIsolated(): boolean {
  return g.crossOriginIsolated === true;
}

export function hardwareConcurrency(): number {
  return g.navigator?.hardwareConcurrency ?? 1;
}
