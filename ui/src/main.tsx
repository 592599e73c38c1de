import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { NoticesProvider } from "./components/Notices";
import { StartupGate } from "./database/DatabaseProblemScreen";
import { readFirstScreen } from "./firstScreen";
import { I18nProvider } from "./i18n";
import { newQueryClient } from "./queryClient";
import "./styles.css";
import { applyPlatformFonts } from "./platformFonts";
import { applyTheme, savedTheme } from "./theme";

applyPlatformFonts();
applyTheme(savedTheme());

const queryClient = newQueryClient();
const firstReads = readFirstScreen(queryClient);

function Root() {
  return (
    <I18nProvider>
      <QueryClientProvider client={queryClient}>
        <NoticesProvider>
          <StartupGate firstReads={firstReads}>
            <App />
          </StartupGate>
        </NoticesProvider>
      </QueryClientProvider>
    </I18nProvider>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
}
