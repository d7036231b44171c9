import cliProgress from "cli-progress";

/** Progress of one file of a preset download. */
export interface DownloadProgress {
  /** The handle being resolved (`hf://albert/albert-base-v2`, `kaggle://...`). */
  handle: string;
  /** The file, relative to the preset folder. */
  file: string;
  /** Bytes of the file downloaded so far (resumed bytes included). */
  loaded: number;
  /** The file's size, when the server announced it. */
  total?: number;
}

export interface ProgressOptions {
  /** Called as data arrives (for programs and notebooks). */
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * Draw a progress bar on stderr. Default: only when stderr is a terminal; never otherwise,
   * so logs and pipes stay clean.
   */
  progressBar?: boolean;
}

/** Reports one file's progress to the callback and, on a terminal, to a bar on stderr. */
export interface FileProgress {
  update(loaded: number, total?: number): void;
  finish(): void;
}

const MB = 1024 * 1024;

/** Starts reporting the download of `file`. */
export function startFileProgress(
  handle: string,
  file: string,
  options: ProgressOptions,
): FileProgress {
  const showBar = options.progressBar ?? process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let lastTotal: number | undefined;
  return {
    update(loaded, total) {
      options.onProgress?.({ handle, file, loaded, ...(total === undefined ? {} : { total }) });
      // Small files (configs, tokenizer files) finish before a bar would say anything useful.
      if (!showBar || (total !== undefined && total < MB)) return;
      const payload = {
        file,
        loadedMb: (loaded / MB).toFixed(1),
        totalMb: total === undefined ? "?" : (total / MB).toFixed(1),
      };
      if (bar === undefined) {
        bar = new cliProgress.SingleBar(
          {
            format: "{file} [{bar}] {percentage}% | {loadedMb}/{totalMb} MB | {eta_formatted}",
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? 0, loaded, payload);
        lastTotal = total;
      } else {
        if (total !== undefined && total !== lastTotal) {
          bar.setTotal(total);
          lastTotal = total;
        }
        bar.update(loaded, payload);
      }
    },
    finish() {
      bar?.stop();
      bar = undefined;
    },
  };
}
