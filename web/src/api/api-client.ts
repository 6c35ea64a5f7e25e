import { type ApiClient, createApiClient } from './client.ts';

/** The app's one API client, talking to the server that served the page. */
export const apiClient: ApiClient = createApiClient();
