import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DocchatError } from '../core/errors.ts';
import type { Chunk } from '../core/types.ts';
import type { SearchIndex } from '../retrieval/search-index.ts';
import { pairedRandomizationTest } from './randomization-test.ts';
import { type BeirEvalOptions, type BeirEvalResult, runBeirEval } from './run-beir-eval.ts';

/** One BEIR dataset of a suite, with the groups whose means it counts in. */
export interface BeirSet {
  dir: string;
  /** As printed: the folder's name, or `parent/folder` for a set found inside a folder of sets. */
  name: string;
  groups: string[];
  /** The set is the passages of one document (a set found inside a folder of sets). */
  oneDocument: boolean;
}

/** The group of every set found inside a folder of sets: one document split into passages per folder. */
export const oneDocumentGroup = 'one-document';
/** The group of every set named directly: a collection of separate documents. */
export const collectionsGroup = 'collections';

const isFile = async (path: string): Promise<boolean> =>
  (await stat(path).catch(() => null))?.isFile() ?? false;

/**
 * The sets behind the given paths. A path holding `corpus.jsonl` is one set, in the `collections` group. A
 * folder of such folders (as `squad2-articles/`, one article per folder) stands for all of them, each the
 * passages of one document: they count in a group named after the folder and in `one-document`.
 */
export async function findBeirSets(paths: readonly string[]): Promise<BeirSet[]> {
  const sets: BeirSet[] = [];
  for (const path of paths) {
    if (await isFile(join(path, 'corpus.jsonl'))) {
      sets.push({ dir: path, name: basename(path), groups: [collectionsGroup], oneDocument: false });
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
    if (!entries)
      throw new DocchatError('file_not_found', `No BEIR dataset directory at ${path}.`, {
        details: { path },
      });
    const children = entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const found: BeirSet[] = [];
    for (const child of children)
      if (await isFile(join(path, child, 'corpus.jsonl')))
        found.push({
          dir: join(path, child),
          name: `${basename(path)}/${child}`,
          groups: [basename(path), oneDocumentGroup],
          oneDocument: true,
        });
    if (found.length === 0)
      throw new DocchatError(
        'file_not_found',
        `${path} holds no corpus.jsonl, nor folders that do. Point to a BEIR dataset directory.`,
        { details: { path } },
      );
    sets.push(...found);
  }
  return sets;
}

/** A retriever of a suite: a name and a factory of empty indexes. */
export interface SuiteRetriever {
  name: string;
  createIndex: (options: { header: (chunk: Chunk) => string }) => SearchIndex;
}

/** The first retriever measured against the second: mean nDCG@10 difference and its randomization p-value. */
export interface Comparison {
  difference: number;
  p: number;
}

/** One set's results, one per retriever, in the order the retrievers were given. */
export interface SuiteSetResult {
  set: BeirSet;
  queries: number;
  results: BeirEvalResult[];
  comparison: Comparison | null;
}

/** A group's query-weighted means (the mean over all the queries of its sets), one per retriever. */
export interface SuiteGroupResult {
  group: string;
  sets: number;
  queries: number;
  ndcg10: number[];
  comparison: Comparison | null;
}

/** Everything {@link runBeirSuite} measured. */
export interface SuiteResult {
  retrievers: string[];
  sets: SuiteSetResult[];
  groups: SuiteGroupResult[];
}

/** Options of {@link runBeirSuite}. */
export interface SuiteOptions extends Pick<BeirEvalOptions, 'split' | 'signal' | 'onProgress'> {
  /** Random sign flips of the paired randomization test. Default 10,000. */
  trials?: number;
  /** Seed of the randomization test. Default 1. */
  seed?: number;
  /** Called before each set is measured with each retriever. */
  onSet?: (set: BeirSet, retriever: string) => void;
}

function compare(a: readonly number[], b: readonly number[], options: SuiteOptions): Comparison {
  const test = pairedRandomizationTest(a, b, { trials: options.trials, seed: options.seed });
  return { difference: test.meanDifference, p: test.p };
}

/**
 * Measures one or two retrievers on every set (the same judged queries for both), then the query-weighted
 * mean of every group; with two retrievers, the first is compared with the second per set and per group by a
 * paired randomization test on the queries' nDCG@10.
 */
export async function runBeirSuite(
  sets: readonly BeirSet[],
  retrievers: readonly SuiteRetriever[],
  options: SuiteOptions = {},
): Promise<SuiteResult> {
  if (retrievers.length < 1 || retrievers.length > 2)
    throw new DocchatError('invalid_request', 'Measure one retriever, or two to compare.');
  const setResults: SuiteSetResult[] = [];
  for (const set of sets) {
    const results: BeirEvalResult[] = [];
    for (const retriever of retrievers) {
      options.onSet?.(set, retriever.name);
      results.push(
        await runBeirEval(set.dir, {
          split: options.split,
          signal: options.signal,
          onProgress: options.onProgress,
          createIndex: retriever.createIndex,
          oneDocument: set.oneDocument,
        }),
      );
    }
    const scores = results.map((result) => result.perQuery.map((query) => query['ndcg@10']));
    setResults.push({
      set,
      queries: results[0]?.queries ?? 0,
      results,
      comparison: scores.length === 2 ? compare(scores[0] ?? [], scores[1] ?? [], options) : null,
    });
  }

  // Folder groups first, then the two kinds, so a group's summary follows the rows it summarizes.
  const kinds = [oneDocumentGroup, collectionsGroup];
  const allGroups = [...new Set(sets.flatMap((set) => set.groups))];
  const groupNames = [
    ...allGroups.filter((group) => !kinds.includes(group)),
    ...kinds.filter((kind) => allGroups.includes(kind)),
  ];
  const groups = groupNames.map((group): SuiteGroupResult => {
    const members = setResults.filter((result) => result.set.groups.includes(group));
    const pooled = retrievers.map((_, r) =>
      members.flatMap((member) => member.results[r]?.perQuery.map((query) => query['ndcg@10']) ?? []),
    );
    const mean = (values: readonly number[]): number =>
      values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
    return {
      group,
      sets: members.length,
      queries: pooled[0]?.length ?? 0,
      ndcg10: pooled.map(mean),
      comparison: pooled.length === 2 ? compare(pooled[0] ?? [], pooled[1] ?? [], options) : null,
    };
  });
  return { retrievers: retrievers.map((retriever) => retriever.name), sets: setResults, groups };
}
