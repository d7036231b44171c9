/** Cosine similarity of two vectors. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** A square table of cosine similarities, rows and columns labelled 1..n. */
export function similarityTable(labels: string[], vectors: ArrayLike<number>[]): string {
  const header = ["".padEnd(4), ...labels.map((_, i) => `[${i + 1}]`.padStart(6))].join(" ");
  const rows = vectors.map((v, i) =>
    [`[${i + 1}]`.padEnd(4), ...vectors.map((w) => cosine(v, w).toFixed(3).padStart(6))].join(" "),
  );
  const legend = labels.map((label, i) => `  [${i + 1}] ${label}`);
  return [header, ...rows, "", ...legend].join("\n");
}
