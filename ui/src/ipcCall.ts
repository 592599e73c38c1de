// The one door to the Rust side: every generated call (ipc.generated.ts) goes through `call`.
// Errors always come out as ApiError, whatever shape the IPC layer rejected with.
import { invoke } from "@tauri-apps/api/core";
import type { AppError } from "./bindings/AppError";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ErrorWords } from "./bindings/ErrorWords";
import { errorText } from "./i18n/errors";
import { noteCall } from "./perf";

/** An engine error; its message is worded in the UI's language when the engine gave words. */
export class ApiError extends Error {
  readonly code: ErrorCode | "ipc";
  readonly words: ErrorWords | null;
  constructor(code: ErrorCode | "ipc", message: string, words: ErrorWords | null = null) {
    super(errorText(words, message));
    this.name = "ApiError";
    this.code = code;
    this.words = words;
  }
}

function isAppError(e: unknown): e is AppError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as AppError).code === "string" &&
    typeof (e as AppError).message === "string"
  );
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (isAppError(e)) return new ApiError(e.code, e.message, e.words ?? null);
  if (e instanceof Error) return new ApiError("ipc", e.message);
  return new ApiError("ipc", String(e));
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const at = performance.now();
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  } finally {
    noteCall(command, at);
  }
}
