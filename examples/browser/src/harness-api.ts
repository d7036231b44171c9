import type { AlbertBackbone, tf as Tf } from "@albert/core";
import type { DownloadProgress, PresetContents, ResolveOptions } from "@albert/presets";

/** What a test reads back from `initBackend` in the page. */
export interface PageBackendInfo {
  name: string;
  version: string;
  device?: string;
  threads?: number;
  threadsNote?: string;
  simd?: boolean;
  fallbackReason?: string;
}

/**
 * The harness page's `window.albert` (pages/harness.ts), as the tests call it inside
 * `page.evaluate`: the browser builds' own exports, typed here by what the tests use.
 */
export interface HarnessApi {
  core: {
    tf: typeof Tf;
    AlbertBackbone: typeof AlbertBackbone;
  };
  backends: {
    initBackend(name: string, options?: { wasmPath?: string; threads?: number; quiet?: boolean }): Promise<PageBackendInfo>;
    listBackends(): { name: string; available: boolean; reason?: string }[];
    diagnoseBackends(): Promise<{ backends: { name: string; available: boolean; active: boolean; software?: boolean; device?: string }[] }>;
    formatDiagnosis(diagnosis: unknown): string;
  };
  presets: {
    resolvePreset(handle: string, options?: ResolveOptions): Promise<string>;
    readPreset(dir: string): Promise<PresetContents>;
    presetFromFiles(files: unknown): Promise<string>;
    setPresetEnvironment(settings: Record<string, string | undefined>): void;
    clearPresetCache(): Promise<boolean>;
    forgetPreset(dir: string): boolean;
  };
  pipeline(task: string, model: string): Promise<((input: unknown, options?: Record<string, unknown>) => Promise<unknown>) & { dispose(): void }>;
  tokenizer: {
    AlbertTokenizer: { fromPreset(handle: string): Promise<{ tokenize(text: string): number[] }> };
  };
}

export type { DownloadProgress };

