import { MemoryVectorStore as LangchainMemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { Document } from '@langchain/core/documents';
import { FakeEmbeddings } from '@langchain/core/utils/testing';
import { BaseEmbedding, SimpleVectorStore, TextNode, VectorStoreQueryMode } from 'llamaindex';
import { seededRandom } from '../src/core/seeded-random.ts';
import { createMemoryVectorStore } from '../src/vector-stores/memory-vector-store.ts';
import { loadSimdDotKernel } from '../src/vector-stores/simd-dot-kernel.ts';
import { compareAlternating, ratio, round3 } from './measure.ts';

/** One vector-search configuration's figures: medians in ms per query. */
export interface VectorSearchResult {
  n: number;
  dim: number;
  k: number;
  /** docchat's store with its default (SIMD) kernel. */
  ms: number;
  /** docchat's store with the pure-JS fallback kernel. */
  jsMs: number;
  langchainMs: number;
  llamaindexMs: number;
  /** Bytes the search reads / the best sequential read bandwidth measured in the same rounds. */
  boundMs: number;
  bytesRead: number;
  readBandwidthGBs: number;
  speedupVsLangchain: number;
  speedupVsLlamaindex: number;
  /** `ms / boundMs`: 1 means the search runs at memory speed. */
  timesBound: number;
  /** Every side returned the same top-k indices, in the same order, for every query. */
  sameTopK: boolean;
  queries: number;
}

/** One configuration of the vector-search part: its size and how many queries and rounds to time. */
export interface VectorSearchCase {
  n: number;
  dim: number;
  queries: number;
  warmup: number;
  rounds: number;
}

/** Sizes and repetitions of the vector-search part. */
export interface VectorSearchOptions {
  cases: readonly VectorSearchCase[];
  k?: number;
}

/** The full run; the 100k cases time fewer queries so the part stays within two minutes. */
export const vectorSearchDefaults: VectorSearchOptions = {
  cases: [
    { n: 10_000, dim: 384, queries: 8, warmup: 1, rounds: 7 },
    { n: 10_000, dim: 1536, queries: 8, warmup: 1, rounds: 7 },
    { n: 100_000, dim: 384, queries: 4, warmup: 1, rounds: 5 },
    { n: 100_000, dim: 1536, queries: 4, warmup: 1, rounds: 5 },
  ],
};

/** A CI-sized run: seconds, no meaningful timings. */
export const vectorSearchQuick: VectorSearchOptions = {
  cases: [{ n: 2_000, dim: 384, queries: 4, warmup: 1, rounds: 2 }],
};

/** Benchmarks exact top-k search on the same clustered vectors in docchat, LangChain.js and LlamaIndex.TS. */
export async function benchVectorSearch(options: VectorSearchOptions): Promise<VectorSearchResult[]> {
  const results: VectorSearchResult[] = [];
  for (const testCase of options.cases) results.push(await benchOne(testCase, options.k ?? 4));
  return results;
}

async function benchOne(options: VectorSearchCase, k: number): Promise<VectorSearchResult> {
  const { n, dim } = options;
  const { vectors, queries } = clusteredVectors(n, dim, options.queries, n * 31 + dim);
  // The peers take number[]; both keep references to the same arrays, so they share one copy.
  const plain = vectors.map((vector) => Array.from(vector));
  const plainQueries = queries.map((query) => Array.from(query));

  const simd = createMemoryVectorStore({ dimensions: dim, initialCapacity: n });
  simd.add(vectors);
  const js = createMemoryVectorStore({ dimensions: dim, initialCapacity: n, kernel: 'js' });
  js.add(vectors);
  vectors.length = 0;

  const langchain = new LangchainMemoryVectorStore(new FakeEmbeddings());
  await langchain.addVectors(
    plain,
    plain.map((_, index) => new Document({ pageContent: '', metadata: { index } })),
  );
  const llamaindex = new SimpleVectorStore({ embedModel: new PrecomputedEmbedding() });
  await llamaindex.add(
    plain.map((embedding, index) => new TextNode({ id_: String(index), text: '', embedding })),
  );

  const searchDocchat = (store: typeof simd, q: number) =>
    store.search(queries[q] as Float32Array, k).map((hit) => hit.index);
  const searchLangchain = async (q: number) =>
    (await langchain.similaritySearchVectorWithScore(plainQueries[q] as number[], k)).map(
      ([document]) => document.metadata.index as number,
    );
  const searchLlamaindex = async (q: number) =>
    (
      await llamaindex.query({
        queryEmbedding: plainQueries[q] as number[],
        similarityTopK: k,
        mode: VectorStoreQueryMode.DEFAULT,
      })
    ).ids.map(Number);

  let sameTopK = true;
  for (let q = 0; q < queries.length; q++) {
    const expected = JSON.stringify(searchDocchat(simd, q));
    const others = [searchDocchat(js, q), await searchLangchain(q), await searchLlamaindex(q)];
    if (others.some((indices) => JSON.stringify(indices) !== expected)) sameTopK = false;
  }

  const bytesRead = n * Math.ceil(dim / 16) * 64 + 3 * n * 4;
  const reader = createSequentialReader(bytesRead);
  const cycle = (): (() => number) => {
    let next = 0;
    return () => next++ % queries.length;
  };
  const [qSimd, qJs, qLangchain, qLlamaindex] = [cycle(), cycle(), cycle(), cycle()];
  const timings = await compareAlternating(
    {
      docchat: () => searchDocchat(simd, qSimd()),
      docchatJs: () => searchDocchat(js, qJs()),
      langchain: () => searchLangchain(qLangchain()),
      llamaindex: () => searchLlamaindex(qLlamaindex()),
      wasmRead: reader.wasmRead,
      memcmpRead: reader.memcmpRead,
    },
    { warmup: options.warmup, rounds: options.rounds, callsPerRun: queries.length },
  );
  const median = (name: string): number => timings[name]?.medianMs ?? Number.NaN;
  const boundMs = Math.min(median('wasmRead'), median('memcmpRead'));
  const ms = median('docchat');
  return {
    n,
    dim,
    k,
    ms: round3(ms),
    jsMs: round3(median('docchatJs')),
    langchainMs: round3(median('langchain')),
    llamaindexMs: round3(median('llamaindex')),
    boundMs: round3(boundMs),
    bytesRead,
    readBandwidthGBs: Math.round(bytesRead / boundMs / 1e5) / 10,
    speedupVsLangchain: ratio(median('langchain'), ms),
    speedupVsLlamaindex: ratio(median('llamaindex'), ms),
    timesBound: ratio(ms, boundMs),
    sameTopK,
    queries: queries.length,
  };
}

/** LlamaIndex's store wants an embedding model even when the vectors come precomputed; this one is never called. */
class PrecomputedEmbedding extends BaseEmbedding {
  // Used as a transform, it passes nodes through: their embeddings are already set. (Also makes the
  // protected base constructor public.)
  constructor() {
    super(async (nodes) => nodes);
  }

  override async getTextEmbedding(): Promise<number[]> {
    throw new Error('The benchmark passes precomputed vectors.');
  }
}

/**
 * Vectors around `n / 100` random centres (gaussian noise, so neighbours are close but distinct), and queries
 * drawn near randomly chosen centres the same way. Seeded: every run searches the same data.
 */
export function clusteredVectors(
  n: number,
  dim: number,
  queryCount: number,
  seed: number,
): { vectors: Float32Array[]; queries: Float32Array[] } {
  const random = seededRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: Math.max(1, Math.round(n / 100)) }, () =>
    Float32Array.from({ length: dim }, gaussian),
  );
  const near = (): Float32Array => {
    const centre = centres[Math.floor(random() * centres.length)] as Float32Array;
    return centre.map((value) => value + 0.6 * gaussian());
  };
  return {
    vectors: Array.from({ length: n }, near),
    queries: Array.from({ length: queryCount }, near),
  };
}

/**
 * Two ways to read `bytes` bytes sequentially, over non-zero data (untouched pages would all map to one zero
 * page and read from cache): a WebAssembly SIMD loop and `memcmp` through `Buffer.compare` on two equal halves.
 */
function createSequentialReader(bytes: number): { wasmRead: () => number; memcmpRead: () => number } {
  const size = Math.ceil(bytes / 128) * 128;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(size / 65_536) });
  const kernel = loadSimdDotKernel(memory);
  if (kernel === null) throw new Error('WebAssembly SIMD is unavailable; the bound cannot be measured.');
  const words = new Uint32Array(memory.buffer, 0, size / 4);
  for (let i = 0; i < words.length / 2; i++) words[i] = (i * 2_654_435_761) >>> 0;
  words.copyWithin(words.length / 2, 0, words.length / 2);
  const first = Buffer.from(memory.buffer, 0, size / 2);
  const second = Buffer.from(memory.buffer, size / 2, size / 2);
  return {
    wasmRead: () => kernel.read(0, size),
    memcmpRead: () => Buffer.compare(first, second),
  };
}
