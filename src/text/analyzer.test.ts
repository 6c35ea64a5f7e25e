import { describe, expect, it } from 'vitest';
import { analyze, createAnalyzer, normalizeText } from './analyzer.ts';

describe('analyze', () => {
  it('lower-cases, drops Lucene stop words and stems with Porter2', () => {
    expect(analyze('The Cells were RUNNING into the generalizations')).toEqual([
      'cell',
      'were',
      'run',
      'general',
    ]);
  });

  it('folds diacritics and compatibility forms (NFKC)', () => {
    expect(analyze('Café naïve ｆｕｌｌｗｉｄｔｈ')).toEqual(['cafe', 'naiv', 'fullwidth']);
    expect(normalizeText('Ångström ﬁber')).toBe('angstrom fiber');
  });

  it('indexes hyphenated and slashed compounds as parts and as one joined term', () => {
    expect(analyze('IL-6')).toEqual(['il', '6', 'il6']);
    expect(analyze('CD4/CD8')).toEqual(['cd4', 'cd8', 'cd4cd8']);
    expect(analyze('CD4+ cells')).toEqual(['cd4', 'cell']);
    // The joined term is what lets "IL6" find "IL-6".
    expect(analyze('IL6')).toEqual(['il6']);
  });

  it('spells Greek letters out so TNF-α meets TNF-alpha', () => {
    expect(analyze('TNF-α')).toEqual(analyze('TNF-alpha'));
    expect(analyze('β-cells')).toEqual(['beta', 'cell', 'betacel']);
  });

  it('keeps numbers whole: thousands separators removed, decimals kept, percent signs dropped', () => {
    expect(analyze('1,000 patients')).toEqual(['1000', 'patient']);
    expect(analyze('3.5 mg')).toEqual(['3.5', 'mg']);
    expect(analyze('5% of 20%')).toEqual(['5', '20']);
  });

  it('strips possessives and other apostrophes', () => {
    expect(analyze("the patient's disease")).toEqual(['patient', 'diseas']);
    expect(analyze('Crohn’s disease')).toEqual(['crohn', 'diseas']);
    expect(analyze("don't")).toEqual(['dont']);
  });

  it('returns nothing for text without words', () => {
    expect(analyze('')).toEqual([]);
    expect(analyze(' -- ... !!')).toEqual([]);
    expect(analyze('the of and')).toEqual([]);
  });

  it('can be configured: no stemming, no stop words, no joined compounds', () => {
    const plain = createAnalyzer({ stem: false, stopWords: new Set(), joinCompounds: false });
    expect(plain('The cells IL-6')).toEqual(['the', 'cells', 'il', '6']);
    const upper = createAnalyzer({ stem: (word) => word.toUpperCase() });
    expect(upper('cells 4b')).toEqual(['CELLS', '4b']);
  });
});
