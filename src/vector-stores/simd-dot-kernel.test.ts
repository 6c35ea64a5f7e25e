import { describe, expect, it } from 'vitest';
import { loadSimdDotKernel, simdDotErrorBound, simdDotKernelBytes } from './simd-dot-kernel.ts';

describe('simdDotKernel', () => {
  it('is a valid module', () => {
    expect(WebAssembly.validate(simdDotKernelBytes())).toBe(true);
  });

  it('computes every row dot product within its error bound, on rows that are not unit length too', () => {
    const memory = new WebAssembly.Memory({ initial: 2 });
    const kernel = loadSimdDotKernel(memory);
    if (kernel === null) throw new Error('WebAssembly SIMD is missing');
    const stride = 48;
    const rows = 50;
    const floats = new Float32Array(memory.buffer);
    const queryAt = 0;
    const matrixAt = stride;
    const outAt = matrixAt + rows * stride;
    for (let j = 0; j < stride; j++) floats[queryAt + j] = Math.sin(j + 1);
    for (let i = 0; i < rows * stride; i++) floats[matrixAt + i] = Math.cos(i * 0.37) * (i % 7);
    kernel.scores(matrixAt * 4, queryAt * 4, outAt * 4, rows, stride * 4);
    for (let row = 0; row < rows; row++) {
      let exact = 0;
      let magnitude = 0;
      for (let j = 0; j < stride; j++) {
        const product = (floats[matrixAt + row * stride + j] as number) * (floats[queryAt + j] as number);
        exact += product;
        magnitude += Math.abs(product);
      }
      const bound = (simdDotErrorBound(stride * 4, stride) / 2) * Math.max(1, magnitude);
      expect(Math.abs((floats[outAt + row] as number) - exact)).toBeLessThanOrEqual(bound);
      expect(floats[outAt + row]).not.toBe(0);
    }
  });

  it('reads every 16-byte word', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const kernel = loadSimdDotKernel(memory);
    if (kernel === null) throw new Error('WebAssembly SIMD is missing');
    const words = new Int32Array(memory.buffer);
    expect(kernel.read(0, 1024)).toBe(0);
    words[255] = 1 << 20;
    words[4] = 3;
    expect(kernel.read(0, 1024)).toBe((1 << 20) | 3);
    expect(kernel.read(0, 960)).toBe(3);
  });
});
