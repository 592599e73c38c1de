import { describe, expect, it } from "vitest";
import { commandFor, isControlActivation, isTypingTarget } from "./keys";

describe("inbox keys", () => {
  it.each([
    ["j", "down"],
    ["ArrowDown", "down"],
    ["k", "up"],
    ["J", "nextOrder"],
    ["K", "prevOrder"],
    ["x", "toggle"],
    ["a", "accept"],
    ["r", "reject"],
    ["Delete", "delete"],
    ["u", "restore"],
    ["Enter", "open"],
    ["o", "offer"],
    ["Escape", "escape"],
    ["?", "help"],
    ["z", "undo"],
    ["q", null],
  ])("%s → %s", (key, cmd) => {
    expect(commandFor({ key })).toBe(cmd);
  });

  it("with a Russian layout on, the letters go by their physical key", () => {
    expect(commandFor({ key: "ф", code: "KeyA" })).toBe("accept");
    expect(commandFor({ key: "о", code: "KeyJ" })).toBe("down");
    expect(commandFor({ key: "Л", code: "KeyK", shiftKey: true })).toBe("prevOrder");
    expect(commandFor({ key: "к", code: "KeyR" })).toBe("reject");
    expect(commandFor({ key: "я", code: "KeyZ", ctrlKey: true })).toBe("undo");
    expect(commandFor({ key: "ф", code: "KeyA", ctrlKey: true })).toBeNull();
    // A Latin layout whose letters sit elsewhere (AZERTY's a is on KeyQ) keeps its own letters.
    expect(commandFor({ key: "a", code: "KeyQ" })).toBe("accept");
    // Not a letter key: the key as typed.
    expect(commandFor({ key: "?", code: "Digit7", shiftKey: true })).toBe("help");
  });

  it("modified keys are left to the system (Ctrl+A selects text, Ctrl+R reloads)", () => {
    expect(commandFor({ key: "a", ctrlKey: true })).toBeNull();
    expect(commandFor({ key: "r", metaKey: true })).toBeNull();
  });

  it("Ctrl+Z and ⌘Z undo, as everywhere; Ctrl+Shift+Z and Alt+Z do not", () => {
    expect(commandFor({ key: "z", ctrlKey: true })).toBe("undo");
    expect(commandFor({ key: "Z", ctrlKey: true })).toBe("undo"); // Caps Lock on
    expect(commandFor({ key: "z", metaKey: true })).toBe("undo");
    expect(commandFor({ key: "Z", ctrlKey: true, shiftKey: true })).toBeNull();
    expect(commandFor({ key: "z", altKey: true })).toBeNull();
  });

  it("text fields swallow keys; checkboxes do not", () => {
    const input = document.createElement("input");
    expect(isTypingTarget(input)).toBe(true);
    const box = document.createElement("input");
    box.type = "checkbox";
    expect(isTypingTarget(box)).toBe(false);
    expect(isTypingTarget(document.createElement("textarea"))).toBe(true);
    expect(isTypingTarget(document.body)).toBe(false);
  });

  it("Enter on a focused button presses the button, not the inbox", () => {
    const button = document.createElement("button");
    expect(isControlActivation({ key: "Enter", target: button })).toBe(true);
    expect(isControlActivation({ key: "a", target: button })).toBe(false);
    expect(isControlActivation({ key: "Enter", target: document.body })).toBe(false);
  });
});
