// Component tests on the real engine's recorded answers (fixtures/*.json, written by
// src-tauri/crates/engine/tests/ui_fixtures.rs): the UI is checked against what the engine says,
// and the engine's rules are tested in Rust, not copied here.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import type { AppError } from "../bindings/AppError";
import type { EngineEvent } from "../bindings/EngineEvent";

type Args = Record<string, unknown>;
/** The engine's error as recorded (JSON: its code is a plain string there). */
type RecordedError = { code: string; message: string };
/** `step`: how many writes the scenario had made when it was recorded; `write`: it changed the state. */
type Answer = { cmd: string; args: Args; step: number; write: boolean; ok?: unknown; error?: RecordedError };
export type Fixture = { answers: Answer[] };
export type Call = { cmd: string; args: Args };
/** A test's own answer to a command (typically a write the UI makes), instead of a recorded one. */
export type Override = (args: Args) => unknown;
/** What a test does while a command is in flight, before its recorded answer comes back. */
export type InFlight = (args: Args) => Promise<void>;

/** JSON text with every object's keys sorted, so that field order never matters. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A recorded answer fits a call when every argument it was recorded with is the same. */
function fits(answer: Answer, args: Args): boolean {
  return Object.entries(answer.args).every(([k, v]) => canonical(args[k] ?? null) === canonical(v));
}

/** The answer a command gave when recorded (the first one, for a command recorded several times). */
export function recorded<T>(fixture: Fixture, cmd: string): T {
  const answer = fixture.answers.find((a) => a.cmd === cmd);
  if (!answer || answer.error) throw new Error(`${cmd}: no recorded answer`);
  return structuredClone(answer.ok) as T;
}

/** The answer a command gave when recorded with exactly these arguments (the first such one). */
export function recordedFor<T>(fixture: Fixture, cmd: string, args: Args = {}): T {
  const answer = fixture.answers.find((a) => a.cmd === cmd && canonical(a.args) === canonical(args));
  if (!answer || answer.error) throw new Error(`${cmd} ${JSON.stringify(args)}: no recorded answer`);
  return structuredClone(answer.ok) as T;
}

/** Commands the shell answers itself, with nothing from the engine to record. */
const SHELL_ONLY: Record<string, Override> = {
  // Relabels the tray and the engine's notifications; the UI calls it at every start.
  set_language: () => null,
};

/**
 * Serves the fixture over Tauri's IPC mock as the engine answered in the scenario: a read gets
 * the answer recorded for the state after the writes made so far (with the same arguments, else
 * the command's first); a write must be the scenario's next one, and moves the state on. `over`
 * answers the commands the test drives itself; `inFlight` holds a call (to send the engine's events
 * the call sent, say) before its recorded answer. A call with no recorded answer fails as the
 * engine fails, so a missing recording is visible.
 */
export function serveRecorded(
  fixture: Fixture,
  overrides: Record<string, Override> = {},
  inFlight: Record<string, InFlight> = {},
) {
  const over: Record<string, Override> = { ...SHELL_ONLY, ...overrides };
  const calls: Call[] = [];
  let writes = 0;
  const noAnswer = (cmd: string): AppError => ({ code: "internal", message: `no recorded answer for ${cmd}`, words: null });
  const served = (answer: Answer) => {
    if (answer.error) throw answer.error as AppError;
    return structuredClone(answer.ok);
  };
  const answer = (cmd: string, args: Args) => {
    const own = over[cmd];
    if (own) return own(args);
    const answers = fixture.answers.filter((a) => a.cmd === cmd);
    if (answers.some((a) => a.write)) {
      const next = answers.find((a) => a.step === writes && fits(a, args));
      if (!next) throw noAnswer(`${cmd} ${JSON.stringify(args)} as write ${writes + 1}`);
      writes += 1;
      return served(next);
    }
    const now = answers.filter((a) => a.step <= writes).sort((x, y) => y.step - x.step);
    const found = now.find((a) => fits(a, args)) ?? now[0];
    if (!found) throw noAnswer(cmd);
    return served(found);
  };
  mockIPC(
    (cmd, payload) => {
      if (cmd.startsWith("plugin:event")) return undefined;
      const args = (payload ?? {}) as Args;
      calls.push({ cmd, args });
      const hold = inFlight[cmd];
      return hold ? hold(args).then(() => answer(cmd, args)) : answer(cmd, args);
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    /** The engine changed the state by itself where the scenario says so (a sync): reads answer for after it. */
    advance: () => {
      const next = fixture.answers.find((a) => a.cmd === "@engine" && a.step === writes);
      if (!next) throw new Error(`the scenario records no engine change after ${writes} writes`);
      writes += 1;
    },
    callsTo: (cmd: string) => calls.filter((c) => c.cmd === cmd),
    emit: (event: EngineEvent) => emit("engine", event),
  };
}
