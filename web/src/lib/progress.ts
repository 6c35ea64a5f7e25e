import type { IngestStage } from '../../../src/core/events.ts';

// Share of the bar each stage fills: parsing and embedding are the slow ones.
const stageSpans: Record<IngestStage, readonly [number, number]> = {
  parse: [0, 0.5],
  split: [0.5, 0.55],
  embed: [0.55, 0.95],
  index: [0.95, 1],
};

/** How far an ingestion is, from 0 to 1, given its latest progress event. */
export function progressFraction(stage: IngestStage, done: number, total: number): number {
  const [start, end] = stageSpans[stage];
  const share = total > 0 ? Math.min(Math.max(done / total, 0), 1) : 1;
  return start + (end - start) * share;
}

/** Words for a progress event: "Reading page 3 of 22", "Reading page 3 of 12 (OCR)", "Indexing passages 40 of 120". */
export function progressLabel(stage: IngestStage, done: number, total: number, ocr = false): string {
  switch (stage) {
    case 'parse': {
      const what = total > 1 ? `Reading page ${done} of ${total}` : 'Reading the file';
      return ocr ? `${what} (OCR)` : what;
    }
    case 'split':
      return 'Splitting into passages';
    case 'embed':
      return total > 0 ? `Indexing passages ${done} of ${total}` : 'Indexing passages';
    case 'index':
      return 'Building the search index';
  }
}
