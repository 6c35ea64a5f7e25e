import { describe, expect, it } from 'vitest';
import { DocchatError, isAbortError, throwIfAborted, toDocchatError } from './errors.ts';

describe('errors', () => {
  it('keeps its code and classifies its kind', () => {
    const error = new DocchatError('pdf_encrypted', 'needs a password', { details: { source: 'a.pdf' } });
    expect(error.code).toBe('pdf_encrypted');
    expect(error.kind).toBe('input');
    expect(new DocchatError('rate_limited', 'slow down').kind).toBe('upstream');
    expect(error.details).toEqual({ source: 'a.pdf' });
  });

  it('turns unknown failures into internal errors without leaking their message', () => {
    const error = toDocchatError(new Error('secret path /etc/x'));
    expect(error.code).toBe('internal');
    expect(error.message).not.toContain('/etc/x');
  });

  it('recognizes aborts', () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => throwIfAborted(controller.signal)).toThrow(DocchatError);
    expect(isAbortError(new DOMException('x', 'AbortError'))).toBe(true);
    expect(toDocchatError(new DOMException('x', 'AbortError')).code).toBe('aborted');
    expect(() => throwIfAborted(undefined)).not.toThrow();
  });
});
