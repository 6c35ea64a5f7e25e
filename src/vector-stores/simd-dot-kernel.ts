/**
 * A WebAssembly SIMD kernel for dot products of one query against every row of a float32 matrix, encoded
 * byte by byte here (no wasm toolchain needed). The module imports its memory, so the matrix lives in a
 * `WebAssembly.Memory` the caller owns and views as a `Float32Array`.
 *
 * Layout contract: rows are `strideBytes` apart, `strideBytes` is a positive multiple of 64 (16 floats), rows
 * and the query are zero-padded to the stride, and every pointer is a multiple of 16.
 */

/** The kernel's exported functions, bound to one memory. */
export interface SimdDotKernel {
  /** Writes `rows` float32 dot products of the query at `queryPtr` with consecutive rows from `matrixPtr` to `outPtr`. */
  scores(matrixPtr: number, queryPtr: number, outPtr: number, rows: number, strideBytes: number): void;
  /** Reads `bytes` bytes (a positive multiple of 64) sequentially and folds them into a value, to measure read bandwidth. */
  read(ptr: number, bytes: number): number;
}

/** Instantiates the kernel on `memory`, or returns `null` when this runtime has no WebAssembly SIMD. */
export function loadSimdDotKernel(memory: WebAssembly.Memory): SimdDotKernel | null {
  const bytes = simdDotKernelBytes();
  if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const { scores, read } = instance.exports as Record<string, unknown>;
  if (typeof scores !== 'function' || typeof read !== 'function') return null;
  return {
    scores: scores as SimdDotKernel['scores'],
    read: read as SimdDotKernel['read'],
  };
}

/**
 * The most a kernel score can differ from the float64, index-ordered dot product of the unrounded unit query
 * with the same stored row, for unit-length inputs. Each product passes through at most `strideBytes / 64`
 * additions in its lane accumulator, 2 to combine the accumulators and 3 to combine the lanes, plus the
 * product's own rounding and the query's rounding to float32: at most `m = stride/16 + 8` relative roundings
 * of 2^-24 each (gamma_m), and the float64 side adds at most `dimensions` roundings of 2^-53. An absolute
 * term covers float32 underflow. Doubled, for margin.
 */
export function simdDotErrorBound(strideBytes: number, dimensions: number): number {
  const m = strideBytes / 64 + 8;
  const u32 = 2 ** -24;
  const gamma32 = (m * u32) / (1 - m * u32);
  const gamma64 = (dimensions * 2 ** -53) / (1 - dimensions * 2 ** -53);
  // Unit inputs rounded to float32 have norms within a few ulps of 1, so the sum of |q_i * v_i| is below 1.001.
  return 2 * (1.001 * (gamma32 + gamma64) + dimensions * 2 ** -149);
}

const op = {
  end: 0x0b,
  loop: 0x03,
  brIf: 0x0d,
  voidBlock: 0x40,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32Or: 0x72,
  f32Add: 0x92,
  f32Store: 0x38,
  simd: 0xfd,
} as const;

const simd = {
  load: 0x00,
  const: 0x0c,
  i32x4ExtractLane: 0x1b,
  f32x4ExtractLane: 0x1f,
  or: 0x50,
  f32x4Add: 0xe4,
  f32x4Mul: 0xe6,
} as const;

const valueType = { i32: 0x7f, v128: 0x7b } as const;

let cachedBytes: Uint8Array<ArrayBuffer> | undefined;

/** The kernel module's binary; built once. */
export function simdDotKernelBytes(): Uint8Array<ArrayBuffer> {
  cachedBytes ??= Uint8Array.from(encodeModule());
  return cachedBytes;
}

function encodeModule(): number[] {
  const { i32 } = valueType;
  const types = vector([
    [0x60, ...vector([[i32], [i32], [i32], [i32], [i32]]), ...vector([])],
    [0x60, ...vector([[i32], [i32]]), ...vector([[i32]])],
  ]);
  // Import `env.memory` with a minimum of 0 pages and no maximum, so any caller-made memory fits.
  const imports = vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]]);
  const functions = vector([[0x00], [0x01]]);
  const exports = vector([
    [...name('scores'), 0x00, 0x00],
    [...name('read'), 0x00, 0x01],
  ]);
  const code = vector([scoresBody(), readBody()].map((body) => [...unsigned(body.length), ...body]));
  return [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, types),
    ...section(2, imports),
    ...section(3, functions),
    ...section(7, exports),
    ...section(10, code),
  ];
}

/** `scores(matrix, query, out, rows, strideBytes)`: four 4-lane accumulators per row, so adds overlap. */
function scoresBody(): number[] {
  const [matrix, query, out, rows, stride, q, queryEnd, outEnd, a0, a1, a2, a3, sum] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  ] as const;
  const accumulators = [a0, a1, a2, a3] as const;
  const locals = vector([
    [3, valueType.i32],
    [5, valueType.v128],
  ]);
  const zero = [op.simd, ...unsigned(simd.const), ...new Array<number>(16).fill(0)];
  const body: number[] = [
    ...[
      op.localGet,
      out,
      op.localGet,
      rows,
      op.i32Const,
      ...signed(4),
      op.i32Mul,
      op.i32Add,
      op.localSet,
      outEnd,
    ],
    ...[op.localGet, query, op.localGet, stride, op.i32Add, op.localSet, queryEnd],
    op.loop,
    op.voidBlock,
    ...accumulators.flatMap((a) => [...zero, op.localSet, a]),
    ...[op.localGet, query, op.localSet, q],
    op.loop,
    op.voidBlock,
    ...accumulators.flatMap((a, lane) => [
      ...[op.localGet, a],
      ...[op.localGet, matrix, ...load(lane * 16)],
      ...[op.localGet, q, ...load(lane * 16)],
      ...simdOp(simd.f32x4Mul),
      ...simdOp(simd.f32x4Add),
      ...[op.localSet, a],
    ]),
    ...[op.localGet, matrix, op.i32Const, ...signed(64), op.i32Add, op.localSet, matrix],
    ...[op.localGet, q, op.i32Const, ...signed(64), op.i32Add, op.localTee, q],
    ...[op.localGet, queryEnd, op.i32LtU, op.brIf, 0],
    op.end,
    ...[op.localGet, a0, op.localGet, a1, ...simdOp(simd.f32x4Add)],
    ...[op.localGet, a2, op.localGet, a3, ...simdOp(simd.f32x4Add)],
    ...simdOp(simd.f32x4Add),
    ...[op.localSet, sum],
    ...[op.localGet, out],
    ...[op.localGet, sum, ...simdOp(simd.f32x4ExtractLane), 0],
    ...[1, 2, 3].flatMap((lane) => [op.localGet, sum, ...simdOp(simd.f32x4ExtractLane), lane, op.f32Add]),
    ...[op.f32Store, 2, 0],
    ...[op.localGet, out, op.i32Const, ...signed(4), op.i32Add, op.localTee, out],
    ...[op.localGet, outEnd, op.i32LtU, op.brIf, 0],
    op.end,
    op.end,
  ];
  return [...locals, ...body];
}

/** `read(ptr, bytes)`: ORs every 16-byte word into four accumulators and returns the folded result. */
function readBody(): number[] {
  const [ptr, bytes, end, a0, a1, a2, a3] = [0, 1, 2, 3, 4, 5, 6] as const;
  const accumulators = [a0, a1, a2, a3] as const;
  const locals = vector([
    [1, valueType.i32],
    [4, valueType.v128],
  ]);
  const body: number[] = [
    ...[op.localGet, ptr, op.localGet, bytes, op.i32Add, op.localSet, end],
    op.loop,
    op.voidBlock,
    ...accumulators.flatMap((a, lane) => [
      ...[op.localGet, a, op.localGet, ptr, ...load(lane * 16), ...simdOp(simd.or), op.localSet, a],
    ]),
    ...[op.localGet, ptr, op.i32Const, ...signed(64), op.i32Add, op.localTee, ptr],
    ...[op.localGet, end, op.i32LtU, op.brIf, 0],
    op.end,
    ...[op.localGet, a0, op.localGet, a1, ...simdOp(simd.or)],
    ...[op.localGet, a2, op.localGet, a3, ...simdOp(simd.or)],
    ...simdOp(simd.or),
    ...[op.localSet, a0],
    ...[op.localGet, a0, ...simdOp(simd.i32x4ExtractLane), 0],
    ...[1, 2, 3].flatMap((lane) => [op.localGet, a0, ...simdOp(simd.i32x4ExtractLane), lane, op.i32Or]),
    op.end,
  ];
  return [...locals, ...body];
}

function simdOp(code: number): number[] {
  return [op.simd, ...unsigned(code)];
}

/** `v128.load` with 16-byte alignment (2^4) at a constant offset. */
function load(offset: number): number[] {
  return [...simdOp(simd.load), 4, ...unsigned(offset)];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsigned(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...unsigned(bytes.length), ...bytes];
}

function unsigned(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    out.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return out;
}

function signed(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
