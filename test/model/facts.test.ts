// One helper per fact: the expiry rule (src/model/expiry.ts) and the identifier limit that hints state.
import { describe, expect, it } from "vitest";
import { FORK_ID_MAX, FORK_ID_RULE } from "../../src/model/formats.ts";
import { expiresAt, isExpired } from "../../src/model/expiry.ts";
import type { Fork } from "../../src/model/fork.ts";
import { objectKey } from "../../src/model/k8s.ts";
import { LIMITS } from "../../src/model/limits.ts";
import { resolveSettings } from "../../src/cli/settings.ts";
import { NOW as NOW_TEXT } from "../helpers/cli.ts";

const fork = (expires?: string): { fork: Fork } => ({ fork: { apiVersion: "kubefork.dev/v1alpha1", kind: "Fork", metadata: { name: "a" }, spec: { workloads: [], ...(expires ? { expires } : {}) } } as unknown as Fork });
const NOW = Date.parse(NOW_TEXT);

describe("expiry", () => {
  it.each([
    ["before now", "2026-11-23T11:59:59Z", true],
    ["exactly now: expired (not after now)", "2026-11-23T12:00:00Z", true],
    ["after now", "2026-11-23T12:00:01Z", false],
    ["an offset, read as the instant it names", "2026-11-23T13:00:00+01:00", true],
    ["never, without expires", undefined, false],
  ] as const)("%s", (_name, expires, expired) => expect(isExpired(fork(expires), NOW)).toBe(expired));

  it("reads expires with the strict RFC 3339 parser", () => {
    expect(expiresAt(fork("2026-11-23T12:00:00.5Z").fork)).toBe(NOW + 500);
    expect(expiresAt(fork("2026-11-23 12:00:00Z").fork)).toBeUndefined(); // Date.parse would take it
  });
});

describe("identifier limits in hints", () => {
  it("state the one limit, LIMITS.identifierLength", () => {
    expect(FORK_ID_MAX).toBe(LIMITS.identifierLength);
    expect(FORK_ID_RULE).toContain(`at most ${LIMITS.identifierLength} characters`);
    const { problems } = resolveSettings({ fork: "a".repeat(52) }, {}, { stdoutIsTTY: false });
    expect(problems.map((p) => p.hint)).toEqual([expect.stringContaining(`at most ${LIMITS.identifierLength} characters`)]);
    expect(problems[0]!.hint).not.toContain("63");
  });
});

describe("objectKey", () => {
  const o = (apiVersion: string, kind = "Deployment", name = "web") => ({ apiVersion, kind, metadata: { name } });
  it("two versions of one group are one object; groups, kinds, namespaces and names tell objects apart", () => {
    expect(objectKey(o("apps/v1"), "shop")).toBe(objectKey(o("apps/v1beta1"), "shop"));
    expect(objectKey(o("v1", "Service"), "shop")).toBe("|Service|shop|web");
    const keys = [objectKey(o("apps/v1"), "shop"), objectKey(o("example.com/v1"), "shop"), objectKey(o("apps/v1", "StatefulSet"), "shop"), objectKey(o("apps/v1"), "other"), objectKey(o("apps/v1", "Deployment", "db"), "shop")];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
