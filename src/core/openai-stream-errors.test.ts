import { describe, expect, it } from 'vitest';
import { rewriteStreamLine } from './openai-stream-errors.ts';

describe('rewriteStreamLine', () => {
  it('turns llama.cpp’s error line, Ollama’s bare JSON and old vLLM’s unwrapped error into OpenAI’s form', () => {
    expect(
      rewriteStreamLine('error: {"code":400,"message":"too long","type":"exceed_context_size_error"}'),
    ).toBe('data: {"error":{"code":400,"message":"too long","type":"exceed_context_size_error"}}');
    expect(
      rewriteStreamLine('{"error":{"message":"runner died","type":"api_error","param":null,"code":null}}'),
    ).toBe('data: {"error":{"message":"runner died","type":"api_error","param":null,"code":null}}\n');
    expect(
      JSON.parse(rewriteStreamLine('data: {"object":"error","message":"bad","code":400}').slice(6)),
    ).toEqual({
      error: { object: 'error', message: 'bad', code: 400 },
    });
  });

  it('leaves every other line as it is', () => {
    for (const line of [
      'data: {"choices":[]}',
      'data: [DONE]',
      ': ping',
      '',
      'event: message',
      'data: {"error":{"message":"x"}}',
    ])
      expect(rewriteStreamLine(line)).toBe(line);
  });
});
