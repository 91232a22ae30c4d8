import { describe, expect, it } from "vitest";
import { FloodControl, type Admission } from "../../../bot/emulator/limits.js";

const rates = { globalRate: 30, perChatRate: 1, perChatBurst: 3, groupPerMinute: 20 };

function refused(admission: Admission): { scope: string; retryAfter: number; ignored: boolean } {
  if (admission.admitted) throw new Error("expected a 429");
  return { scope: admission.scope, retryAfter: admission.retryAfter, ignored: admission.ignored };
}

describe("FloodControl", () => {
  it("lets a private chat take a burst of 3, then asks to wait until the window frees", () => {
    const flood = new FloodControl(rates, undefined, 250);
    for (let i = 0; i < 3; i++) expect(flood.admit(1, "private", 1000 + i).admitted).toBe(true);
    expect(refused(flood.admit(1, "private", 1003))).toEqual({ scope: "chat", retryAfter: 3, ignored: false });
    // Other chats are unaffected.
    expect(flood.admit(2, "private", 1004).admitted).toBe(true);
  });

  it("counts a request before retry_after as ignored once the in-flight grace is over", () => {
    const flood = new FloodControl(rates, undefined, 250);
    for (let i = 0; i < 3; i++) flood.admit(1, "private", 0);
    refused(flood.admit(1, "private", 0));
    expect(refused(flood.admit(1, "private", 100)).ignored).toBe(false); // still in flight
    expect(refused(flood.admit(1, "private", 1000))).toEqual({ scope: "chat", retryAfter: 2, ignored: true });
    expect(flood.admit(1, "private", 3000).admitted).toBe(true); // exactly retry_after later
  });

  it("limits groups per minute", () => {
    const flood = new FloodControl(rates, undefined, 250);
    for (let i = 0; i < 20; i++) expect(flood.admit(-5, "group", i * 100).admitted).toBe(true);
    const refusal = refused(flood.admit(-5, "group", 2000));
    expect(refusal.scope).toBe("chat");
    expect(refusal.retryAfter).toBe(58); // the first send (t=0) leaves the window at t=60 s
  });

  it("limits all chats together to the global rate", () => {
    const flood = new FloodControl(rates, undefined, 250);
    for (let chat = 0; chat < 30; chat++) expect(flood.admit(chat, "private", 500).admitted).toBe(true);
    expect(refused(flood.admit(99, "private", 600))).toEqual({ scope: "global", retryAfter: 1, ignored: false });
    expect(refused(flood.admit(100, "private", 1200)).ignored).toBe(true);
    expect(flood.admit(100, "private", 1600).admitted).toBe(true);
  });

  it("applies a retry_after override and new rates", () => {
    const flood = new FloodControl(rates, (_scope, computed) => computed + 40, 250);
    for (let i = 0; i < 3; i++) flood.admit(1, "private", 0);
    expect(refused(flood.admit(1, "private", 10)).retryAfter).toBe(43);
    flood.setRates({ perChatRate: 10 });
    for (let i = 0; i < 10; i++) expect(flood.admit(2, "private", 100_000).admitted).toBe(true);
    expect(flood.admit(2, "private", 100_000).admitted).toBe(false);
  });
});
