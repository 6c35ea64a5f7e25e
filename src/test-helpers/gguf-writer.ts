/**
 * Writes GGUF files (version 3, little-endian), the model format of llama.cpp, as specified in ggml's
 * docs/gguf.md: a header, typed metadata key-value pairs, tensor descriptors, then the aligned tensor data.
 * Only what the test models need: scalar and array metadata, and F32 tensors.
 */

/** One metadata value with its GGUF type. */
export type GgufValue =
  | { type: 'uint32'; value: number }
  | { type: 'int32'; value: number }
  | { type: 'float32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; itemType: 'string'; value: readonly string[] }
  | { type: 'array'; itemType: 'float32' | 'int32'; value: readonly number[] };

/** One F32 tensor; `dimensions` in ggml order (the first is the fastest-moving: a row's length). */
export interface GgufTensor {
  name: string;
  dimensions: readonly number[];
  data: Float32Array;
}

/** What a GGUF file holds. */
export interface GgufContents {
  metadata: Readonly<Record<string, GgufValue>>;
  tensors: readonly GgufTensor[];
}

const valueTypes = { uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9 } as const;
const ggmlTypeF32 = 0;
/** The spec's default `general.alignment`. */
const alignment = 32;

/** Encodes `contents` as the bytes of a GGUF file. */
export function encodeGguf(contents: GgufContents): Uint8Array {
  const out = new ByteWriter();
  out.bytes(new TextEncoder().encode('GGUF'));
  out.uint32(3);
  out.uint64(contents.tensors.length);
  const entries = Object.entries(contents.metadata);
  out.uint64(entries.length);
  for (const [key, value] of entries) {
    out.string(key);
    writeValue(out, value);
  }

  let offset = 0;
  for (const tensor of contents.tensors) {
    const elements = tensor.dimensions.reduce((product, dimension) => product * dimension, 1);
    if (elements !== tensor.data.length) {
      throw new Error(`Tensor ${tensor.name} has ${tensor.data.length} values for ${elements} elements.`);
    }
    out.string(tensor.name);
    out.uint32(tensor.dimensions.length);
    for (const dimension of tensor.dimensions) out.uint64(dimension);
    out.uint32(ggmlTypeF32);
    out.uint64(offset);
    offset = alignUp(offset + tensor.data.byteLength);
  }

  out.pad();
  for (const tensor of contents.tensors) {
    out.bytes(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    out.pad();
  }
  return out.finish();
}

function writeValue(out: ByteWriter, value: GgufValue): void {
  out.uint32(valueTypes[value.type]);
  switch (value.type) {
    case 'uint32':
      out.uint32(value.value);
      return;
    case 'int32':
      out.int32(value.value);
      return;
    case 'float32':
      out.float32(value.value);
      return;
    case 'bool':
      out.bytes(Uint8Array.of(value.value ? 1 : 0));
      return;
    case 'string':
      out.string(value.value);
      return;
    case 'array':
      out.uint32(valueTypes[value.itemType]);
      out.uint64(value.value.length);
      if (value.itemType === 'string') for (const item of value.value) out.string(item);
      else if (value.itemType === 'int32') for (const item of value.value) out.int32(item);
      else for (const item of value.value) out.float32(item);
  }
}

const alignUp = (offset: number) => Math.ceil(offset / alignment) * alignment;

/** A growable little-endian byte buffer. */
class ByteWriter {
  #buffer = new Uint8Array(1 << 16);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;

  #reserve(size: number): number {
    if (this.#length + size > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + size));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    const at = this.#length;
    this.#length += size;
    return at;
  }

  bytes(data: Uint8Array): void {
    const at = this.#reserve(data.length);
    this.#buffer.set(data, at);
  }
  uint32(value: number): void {
    const at = this.#reserve(4);
    this.#view.setUint32(at, value, true);
  }
  int32(value: number): void {
    const at = this.#reserve(4);
    this.#view.setInt32(at, value, true);
  }
  float32(value: number): void {
    const at = this.#reserve(4);
    this.#view.setFloat32(at, value, true);
  }
  uint64(value: number): void {
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, BigInt(value), true);
  }
  /** A GGUF string: its UTF-8 length as uint64, then the bytes (no terminator). */
  string(value: string): void {
    const encoded = new TextEncoder().encode(value);
    this.uint64(encoded.length);
    this.bytes(encoded);
  }
  /** Zero bytes up to the next multiple of the alignment. */
  pad(): void {
    this.#reserve(alignUp(this.#length) - this.#length);
  }
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}
