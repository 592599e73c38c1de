import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { NoticesProvider } from "../components/Notices";
import { I18nProvider } from "../i18n";
import { newQueryClient } from "../queryClient";

export function renderWithProviders(ui: ReactNode, client = newQueryClient()) {
  return render(
    <I18nProvider>
      <QueryClientProvider client={client}>
        <NoticesProvider>{ui}</NoticesProvider>
      </QueryClientProvider>
    </I18nProvider>,
  );
}
