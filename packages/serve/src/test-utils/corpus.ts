import { testdataPath } from "@albert/test-utils";

export { sentences, writeCorpus } from "@albert/test-utils";

/** A KerasHub preset with a tokenizer (1000 pieces, sequence length 16, H 16), committed. */
export const TINY_PRESET = testdataPath("tokenizer");
