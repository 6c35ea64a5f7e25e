import { useCallback, useEffect, useState } from 'react';
import type { AppConfig } from '../api/api-types.ts';
import type { ApiClient } from '../api/client.ts';

/** What {@link useConfig} gives: the server's config once loaded, or why it could not be. */
export interface ConfigState {
  config: AppConfig | null;
  error: string | null;
  retry: () => void;
}

/** Loads `GET /api/config` once (upload limits, accepted types, the answering model). */
export function useConfig(api: ApiClient): ConfigState {
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    // `attempt` re-runs this effect for a retry.
    void attempt;
    api.config().then(
      (loaded) => {
        if (!live) return;
        setConfig(loaded);
        setError(null);
      },
      (failure: unknown) => {
        if (live) setError(failure instanceof Error ? failure.message : 'Could not load the settings.');
      },
    );
    return () => {
      live = false;
    };
  }, [api, attempt]);

  const retry = useCallback(() => setAttempt((value) => value + 1), []);
  return { config, error, retry };
}
