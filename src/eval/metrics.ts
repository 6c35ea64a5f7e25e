/** Graded judgments for one query: document id → relevance grade (> 0 is relevant). */
export type QueryJudgments = ReadonlyMap<string, number>;

/**
 * nDCG@k as trec_eval's `ndcg_cut` (and so pytrec_eval and BEIR) computes it: gain = grade, discount =
 * log2(rank + 1), ideal DCG from the judged grades sorted descending. 0 when nothing is relevant.
 */
export function ndcgAtK(ranking: readonly string[], judgments: QueryJudgments, k: number): number {
  let dcg = 0;
  const cut = Math.min(k, ranking.length);
  for (let rank = 0; rank < cut; rank++) {
    const grade = judgments.get(ranking[rank] as string) ?? 0;
    if (grade > 0) dcg += grade / Math.log2(rank + 2);
  }
  const ideal = [...judgments.values()].filter((grade) => grade > 0).sort((a, b) => b - a);
  let idealDcg = 0;
  for (let rank = 0; rank < Math.min(k, ideal.length); rank++)
    idealDcg += (ideal[rank] as number) / Math.log2(rank + 2);
  return idealDcg === 0 ? 0 : dcg / idealDcg;
}

/** Recall@k: the share of relevant documents (grade > 0) found in the first `k`; 0 when none is relevant. */
export function recallAtK(ranking: readonly string[], judgments: QueryJudgments, k: number): number {
  let relevant = 0;
  for (const grade of judgments.values()) if (grade > 0) relevant++;
  if (relevant === 0) return 0;
  let found = 0;
  const cut = Math.min(k, ranking.length);
  for (let rank = 0; rank < cut; rank++) if ((judgments.get(ranking[rank] as string) ?? 0) > 0) found++;
  return found / relevant;
}

/** Reciprocal rank of the first relevant document within the first `k` (MRR@k per query); 0 if none. */
export function reciprocalRankAtK(ranking: readonly string[], judgments: QueryJudgments, k: number): number {
  const cut = Math.min(k, ranking.length);
  for (let rank = 0; rank < cut; rank++)
    if ((judgments.get(ranking[rank] as string) ?? 0) > 0) return 1 / (rank + 1);
  return 0;
}
