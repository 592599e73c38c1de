import { QueryClient } from "@tanstack/react-query";

/** The app's query client; tests use the same defaults so that caching behaves as in the app. */
export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Local IPC: a failure is real, not a flaky network; show it instead of retrying quietly.
      queries: { retry: false, refetchOnWindowFocus: true, staleTime: 2_000 },
      mutations: { retry: false },
    },
  });
}
