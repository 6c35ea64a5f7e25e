/** The BPE encodings of OpenAI's models. */
export type OpenAIEncoding = 'o200k_base' | 'cl100k_base';

/** The encoding an OpenAI model uses, by name; `undefined` for models OpenAI does not make. */
export function openAIEncodingFor(model: string): OpenAIEncoding | undefined {
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o)/.test(model)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/.test(model)) return 'cl100k_base';
  return undefined;
}

const loaded = new Map<OpenAIEncoding, Promise<(text: string) => number>>();

/**
 * Counts tokens exactly as OpenAI does, with `gpt-tokenizer` (its encodings load on first use, about a second).
 * Special-token text in a document (`<|endoftext|>`) is counted as plain text, as the API treats it.
 */
export function loadOpenAITokenizer(encoding: OpenAIEncoding): Promise<(text: string) => number> {
  let tokenizer = loaded.get(encoding);
  if (tokenizer === undefined) {
    const module =
      encoding === 'o200k_base'
        ? import('gpt-tokenizer/encoding/o200k_base')
        : import('gpt-tokenizer/encoding/cl100k_base');
    tokenizer = module.then(
      ({ encode }) =>
        (text: string) =>
          encode(text, { disallowedSpecial: new Set() }).length,
    );
    loaded.set(encoding, tokenizer);
  }
  return tokenizer;
}
