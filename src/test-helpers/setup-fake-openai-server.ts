import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  type FakeOpenAIServer,
  type FakeOpenAIServerOptions,
  startFakeOpenAIServer,
} from './fake-openai-server.ts';

/**
 * Starts a loopback fake OpenAI server for the enclosing suite (before all its tests), resets it before each
 * test and closes it after all. Returns a handle that forwards to the running server.
 */
export function setupFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): FakeOpenAIServer {
  let current: FakeOpenAIServer | undefined;
  beforeAll(async () => {
    current = await startFakeOpenAIServer(options);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(() => {
    current?.reset();
  });
  return new Proxy({} as FakeOpenAIServer, {
    get(_, key) {
      if (current === undefined)
        throw new Error('The fake OpenAI server runs only inside the suite that uses it.');
      const value: unknown = Reflect.get(current, key);
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}
