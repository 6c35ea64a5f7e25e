import { describe, expect, it } from 'vitest';
import { buildTinyGguf, writeTinyGguf } from './gguf-tiny-model.ts';

describe('buildTinyGguf', () => {
  it('writes the same bytes for the same seed, and other weights for another', () => {
    const first = buildTinyGguf({ seed: 3 });
    expect(Buffer.from(buildTinyGguf({ seed: 3 })).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(buildTinyGguf({ seed: 4 })).equals(Buffer.from(first))).toBe(false);
    expect(Buffer.from(first.subarray(0, 4)).toString('latin1')).toBe('GGUF');
    expect(new DataView(first.buffer).getUint32(4, true)).toBe(3);
  });

  it('is read back by node-llama-cpp as a two-layer, 64-wide llama with its settings', async () => {
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const info = await readGgufFileInfo(
      await writeTinyGguf({ contextLength: 1024, name: 'tiny-read', embedding: true }),
    );
    const metadata = info.metadata as unknown as Record<string, Record<string, unknown>>;
    expect(metadata.general).toMatchObject({ architecture: 'llama', name: 'tiny-read' });
    expect(metadata.llama).toMatchObject({
      context_length: 1024,
      embedding_length: 64,
      block_count: 2,
      pooling_type: 1,
    });
    expect(info.tensorInfo?.map((tensor) => tensor.name)).toContain('blk.1.ffn_down.weight');
    expect(info.tensorInfo).toHaveLength(3 + 2 * 9);
  });
});
