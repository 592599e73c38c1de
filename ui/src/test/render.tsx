import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { NoticesProvider } from "../components/Notices";
import { I18nProvider } from "../i18n";

export function renderWithProviders(ui: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <I18nProvider>
      <QueryClientProvider client={client}>
        <NoticesProvider>{ui}</NoticesProvider>
      </QueryClientProvider>
    </I18nProvider>,
  );
}
