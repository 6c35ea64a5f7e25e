import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IngestStage } from '../../../src/core/events.ts';
import { progressFraction, progressLabel } from './progress.ts';

const stages: IngestStage[] = ['parse', 'split', 'embed', 'index'];

describe('progress', () => {
  it('never goes backwards from one stage to the next, and ends at 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.nat(50), fc.nat(50), (stageIndex, a, b) => {
        const total = Math.max(a, b, 1);
        const stage = stages[stageIndex] ?? 'parse';
        const next = stages[stageIndex + 1];
        const here = progressFraction(stage, Math.min(a, b), total);
        expect(here).toBeLessThanOrEqual(progressFraction(stage, Math.max(a, b), total));
        if (next)
          expect(progressFraction(stage, total, total)).toBeLessThanOrEqual(progressFraction(next, 0, total));
      }),
    );
    expect(progressFraction('index', 1, 1)).toBe(1);
    expect(progressFraction('parse', 0, 0)).toBe(0.5);
  });

  it('words each stage', () => {
    expect(progressLabel('parse', 3, 22)).toBe('Reading page 3 of 22');
    expect(progressLabel('parse', 3, 12, true)).toBe('Reading page 3 of 12 (OCR)');
    expect(progressLabel('parse', 1, 1, true)).toBe('Reading the file (OCR)');
    expect(progressLabel('embed', 40, 120)).toBe('Indexing passages 40 of 120');
  });
});
