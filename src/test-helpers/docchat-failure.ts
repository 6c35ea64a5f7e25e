import { DocchatError } from '../core/errors.ts';

/** Awaits a promise that must reject with a `DocchatError` and returns that error, for assertions on its code. */
export async function docchatFailure(promise: Promise<unknown>): Promise<DocchatError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DocchatError) return error;
    throw error;
  }
  throw new Error('expected a DocchatError, but the promise resolved');
}
