// @albert/presets in browser bundles (package.json's "browser" export condition): everything
// of index.ts, whose Node-only modules the "browser" field swaps for browser ones, plus the
// browser's own ways in: user-picked files, page settings and the preset cache.
export * from "./index.js";
export { clearPresetCache, PRESET_CACHE_NAME } from "./browser/fetch-file.js";
export { presetFromFiles, type PickedFile, type PresetFileData } from "./browser/preset-from-files.js";
export { forgetPreset } from "./resolve.browser.js";
export { setPresetEnvironment } from "./resolve/env.browser.js";
