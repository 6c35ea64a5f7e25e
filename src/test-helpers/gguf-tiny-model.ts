import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../core/seeded-random.ts';
import { encodeGguf, type GgufTensor, type GgufValue } from './gguf-writer.ts';

/**
 * A tiny llama-architecture model with random weights, written as GGUF so that tests run real llama.cpp
 * inference (tokenizer, context limit, sampling, embeddings) with no downloaded weights. Its vocabulary is
 * SentencePiece-style with byte fallback: three control tokens, the ChatML markers, `▁` (a space) and all 256
 * bytes, so any text tokenizes, at about one token per byte.
 */
export interface TinyGgufOptions {
  /** The model's trained context window (`llama.context_length`). Default 512. */
  contextLength?: number;
  /** Seeds the weights; the same seed writes the same file. Default 1. */
  seed?: number;
  /** Written as `general.name`, the label answers carry. Default `tiny-llama`. */
  name?: string;
  /**
   * `text`: generation never ends by itself and emits printable ASCII only, so a `maxTokens` cap always cuts it.
   * `stop`: the first token generated is end-of-sequence. Default `text`.
   */
  behaviour?: 'text' | 'stop';
  /** Declares mean pooling (`llama.pooling_type`), as embedding models do. Default false. */
  embedding?: boolean;
  /** Writes a ChatML `tokenizer.chat_template`. Default true. */
  chatTemplate?: boolean;
}

/** Token ids of the tiny vocabulary's special tokens. */
export const tinyGgufTokens = {
  unknown: 0,
  bos: 1,
  eos: 2,
  imStart: 3,
  imEnd: 4,
  space: 5,
  firstByte: 6,
} as const;

const width = 64;
const layers = 2;
const heads = 4;
const feedForward = 128;
/** The constant first channel of every token's embedding; no layer writes to it, so it steers the logits. */
const steeringChannel = 1;
/** The weight of the steering channel in an output row: far above what random weights contribute. */
const steeringWeight = 10;

const chatMlTemplate =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The bytes of a tiny random-weight llama GGUF (about 0.5 MB). */
export function buildTinyGguf(options: TinyGgufOptions = {}): Uint8Array {
  const random = seededRandom(options.seed ?? 1);
  const uniform = (scale: number) => (random() * 2 - 1) * scale;
  const matrix = (columns: number, rows: number, scale: number) =>
    Float32Array.from({ length: columns * rows }, () => uniform(scale));
  const ones = (length: number) => new Float32Array(length).fill(1);

  const tokens = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>', '▁'];
  for (let byte = 0; byte < 256; byte++)
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
  // llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte.
  const tokenTypes = tokens.map((_, id) =>
    id === tinyGgufTokens.unknown ? 2 : id < tinyGgufTokens.space ? 3 : id === tinyGgufTokens.space ? 1 : 6,
  );
  const vocabulary = tokens.length;

  const embeddings = matrix(width, vocabulary, 0.1);
  const output = matrix(width, vocabulary, 0.1);
  const steering = options.embedding ? 0 : steeringChannel;
  for (let token = 0; token < vocabulary; token++) {
    embeddings[token * width] = steering;
    output[token * width] = outputSteering(token, options.behaviour ?? 'text');
  }

  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dimensions: [width, vocabulary], data: embeddings },
    { name: 'output_norm.weight', dimensions: [width], data: ones(width) },
    { name: 'output.weight', dimensions: [width, vocabulary], data: output },
  ];
  for (let layer = 0; layer < layers; layer++) {
    const block = (name: string, dimensions: [number] | [number, number], data: Float32Array) =>
      tensors.push({ name: `blk.${layer}.${name}.weight`, dimensions, data });
    // Row 0 of each projection back into the residual stream stays zero: the steering channel is never written.
    const attentionOutput = matrix(width, width, 0.1);
    attentionOutput.fill(0, 0, width);
    const down = matrix(feedForward, width, 0.1);
    down.fill(0, 0, feedForward);
    block('attn_norm', [width], ones(width));
    block('attn_q', [width, width], matrix(width, width, 0.2));
    block('attn_k', [width, width], matrix(width, width, 0.2));
    block('attn_v', [width, width], matrix(width, width, 0.2));
    block('attn_output', [width, width], attentionOutput);
    block('ffn_norm', [width], ones(width));
    block('ffn_gate', [width, feedForward], matrix(width, feedForward, 0.2));
    block('ffn_up', [width, feedForward], matrix(width, feedForward, 0.2));
    block('ffn_down', [feedForward, width], down);
  }

  const u32 = (value: number): GgufValue => ({ type: 'uint32', value });
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: options.name ?? 'tiny-llama' },
    'general.file_type': u32(0),
    'llama.context_length': u32(options.contextLength ?? 512),
    'llama.embedding_length': u32(width),
    'llama.block_count': u32(layers),
    'llama.feed_forward_length': u32(feedForward),
    'llama.attention.head_count': u32(heads),
    'llama.attention.head_count_kv': u32(heads),
    'llama.rope.dimension_count': u32(width / heads),
    'llama.attention.layer_norm_rms_epsilon': { type: 'float32', value: 1e-5 },
    'llama.vocab_size': u32(vocabulary),
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'array', itemType: 'string', value: tokens },
    'tokenizer.ggml.scores': { type: 'array', itemType: 'float32', value: tokens.map(() => 0) },
    'tokenizer.ggml.token_type': { type: 'array', itemType: 'int32', value: tokenTypes },
    'tokenizer.ggml.unknown_token_id': u32(tinyGgufTokens.unknown),
    'tokenizer.ggml.bos_token_id': u32(tinyGgufTokens.bos),
    'tokenizer.ggml.eos_token_id': u32(tinyGgufTokens.eos),
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
  };
  if (options.embedding) metadata['llama.pooling_type'] = u32(1);
  if (options.chatTemplate ?? true)
    metadata['tokenizer.chat_template'] = { type: 'string', value: chatMlTemplate };
  return encodeGguf({ metadata, tensors });
}

/** Writes a tiny GGUF (see {@link buildTinyGguf}) into a new temporary directory and returns its path. */
export async function writeTinyGguf(options: TinyGgufOptions = {}): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'docchat-gguf-'));
  const path = join(directory, `${options.name ?? 'tiny-llama'}.gguf`);
  await writeFile(path, buildTinyGguf(options));
  return path;
}

/** The steering weight of one output row: which tokens the model may generate. */
function outputSteering(token: number, behaviour: 'text' | 'stop'): number {
  if (token === tinyGgufTokens.eos && behaviour === 'stop') return steeringWeight;
  const byte = token - tinyGgufTokens.firstByte;
  const printable = token === tinyGgufTokens.space || (byte >= 0x21 && byte <= 0x7e);
  return printable ? 0 : -steeringWeight;
}
