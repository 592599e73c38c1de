// The UI's door to the Rust side: the generated calls (one per shell command, typed with the
// ts-rs bindings) plus the few that need more than forwarding — secrets filtered before they
// travel, and the native file choosers.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open, save } from "@tauri-apps/plugin-dialog";
import type { AccountDraft } from "./bindings/AccountDraft";
import type { EngineEvent } from "./bindings/EngineEvent";
import type { ExportOptions } from "./bindings/ExportOptions";
import { ipc } from "./ipc.generated";
import { toApiError } from "./ipcCall";

export { ApiError, toApiError } from "./ipcCall";

/** Secrets travel only on add/update/test and are never returned. */
/** Secret fields by the names the integration gives them (api_key, password, consumer_key, client_secret, refresh_token, token…); only typed ones are sent. */
export type Secrets = {
  api_key?: string;
  password?: string;
  consumer_key?: string;
  consumer_secret?: string;
  client_secret?: string;
  refresh_token?: string;
  /** MoySklad's access token, amoCRM's long-lived token. */
  token?: string;
  /** Bitrix24's incoming webhook token (the secret part of the webhook's URL). */
  webhook_token?: string;
};
/** The intake address as shown (token hidden); the full one is fetched only to copy it. */
export type { IntakeAddress } from "./bindings/IntakeAddress";

function secretArgs(secrets: Secrets): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secrets).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""),
  );
}

async function dialog<T>(choose: () => Promise<T>): Promise<T> {
  try {
    return await choose();
  } catch (e) {
    throw toApiError(e);
  }
}

export const api = {
  ...ipc,
  addAccount: (draft: AccountDraft, secrets: Secrets) => ipc.addAccount(draft, secretArgs(secrets)),
  updateAccount: (id: number, draft: AccountDraft, secrets: Secrets) =>
    ipc.updateAccount(id, draft, secretArgs(secrets)),
  testConnection: (draft: AccountDraft, secrets: Secrets, id: number | null) =>
    ipc.testConnection(draft, secretArgs(secrets), id),
  cancelReasons: (draft: AccountDraft, secrets: Secrets, id: number | null) =>
    ipc.cancelReasons(draft, secretArgs(secrets), id),
  /** Progress comes as `export_progress` events; a cancelled export fails with code "conflict". */
  /** Fails with `needs_confirmation` when the file exists and `overwrite` is false. */
  exportCsv: (path: string, options: ExportOptions, overwrite = false) => ipc.exportCsv(path, options, overwrite),
  /** The native save dialog for a CSV export; null when the manager closed it. */
  chooseExportFile: (defaultName: string, filterName: string): Promise<string | null> =>
    dialog(() => save({ defaultPath: defaultName, filters: [{ name: filterName, extensions: ["csv"] }] })),
  /** The native file chooser for a backup made elsewhere; null when closed without choosing. */
  chooseBackupFile: (filterName: string): Promise<string | null> =>
    dialog(() =>
      open({ multiple: false, filters: [{ name: filterName, extensions: ["db", "sqlite", "sqlite3"] }] }),
    ),
  /** The native file chooser; null when the manager closed it without choosing. */
  choosePriceListFile: (): Promise<string | null> =>
    dialog(() =>
      open({
        multiple: false,
        filters: [{ name: "Price list", extensions: ["csv", "txt", "xlsx", "xls", "xlsm", "ods"] }],
      }),
    ),
};

/** Listening starts asynchronously; the returned function stops it whenever it is called. */
function subscription(listening: Promise<UnlistenFn>): () => void {
  return () => {
    // Stopping after the IPC bridge is gone (window closing) has nothing left to undo.
    listening.then((stop) => stop()).catch(() => undefined);
  };
}

type EngineHandler = (event: EngineEvent) => void;
const engineHandlers = new Set<EngineHandler>();
/** What the engine said while no handler listened, once `holdEngineEvents` asked for it to be kept. */
let heldEvents: EngineEvent[] | null = null;
/** A backfill's progress can come by the hundred: past this many, the oldest kept are let go. */
const HELD_MAX = 1_000;
let stopListening: (() => void) | null = null;

/** One listener on the engine's events for the whole window, however many handlers it hands them to. */
function listenToEngine(): void {
  if (stopListening != null) return;
  const own = subscription(
    listen<EngineEvent>("engine", (e) => {
      // A listener being stopped may still be called while its successor already is.
      if (stopListening !== own) return;
      if (engineHandlers.size === 0 && heldEvents != null) {
        heldEvents.push(e.payload);
        if (heldEvents.length > HELD_MAX) heldEvents.shift();
      }
      for (const handler of engineHandlers) handler(e.payload);
    }),
  );
  stopListening = own;
}

/**
 * Stops listening once no handler is left and nothing is held, a microtask later: a handler that
 * leaves and comes straight back (an effect run again, as on a language change) keeps the same
 * listener, where stopping and listening anew would lose what the engine said in between.
 */
function stopListeningIfUnwanted(): void {
  queueMicrotask(() => {
    if (engineHandlers.size > 0 || heldEvents != null || stopListening == null) return;
    stopListening();
    stopListening = null;
  });
}

/**
 * Listens to the engine from now on and keeps what it says for the first handler: the start reads
 * the first screen before the app is drawn and listens (firstScreen.ts), and an event in between
 * (a poll's new lines) would otherwise be lost, and the first reads left stale. The function it
 * returns lets go of what was kept, for when no handler will come.
 */
export function holdEngineEvents(): () => void {
  const held = (heldEvents ??= []);
  listenToEngine();
  return () => {
    if (heldEvents === held) heldEvents = null;
    stopListeningIfUnwanted();
  };
}

/** Hands the engine's events to `handler` until the returned function is called; the first handler also gets those held for it, at once. */
export function onEngineEvent(handler: EngineHandler): () => void {
  engineHandlers.add(handler);
  listenToEngine();
  const held = heldEvents ?? [];
  heldEvents = null;
  for (const event of held) handler(event);
  return () => {
    engineHandlers.delete(handler);
    stopListeningIfUnwanted();
  };
}

/** A click on an OS notification asks the window to show that order. */
export function onOpenOrder(handler: (orderId: number) => void): () => void {
  return subscription(listen<{ order_id: number }>("open-order", (e) => handler(e.payload.order_id)));
}
