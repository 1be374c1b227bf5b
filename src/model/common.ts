import * as z from "zod/mini";
import { DNS1123_LABEL, DURATION, FORK_ID_MAX, isRfc3339 } from "./formats.ts";

// The formats themselves (no zod): src/model/formats.ts.
export { DNS1123_LABEL, DURATION, FORK_ID_MAX, isForkIdentifier, isRfc3339, parseDuration, parseRfc3339 } from "./formats.ts";

// zod/mini, not the classic API: the same parser and issues without the chainable methods that
// classic zod attaches to every schema object, so less code to load and less work to build the
// schemas at every start (issue 7). zod/mini carries no messages of its own: importing this module
// sets zod's global configuration to English messages.
z.config(z.locales.en());

export const dnsLabel = z
  .string()
  .check(
    z.maxLength(63, "must be at most 63 characters (a DNS-1123 label)"),
    z.regex(DNS1123_LABEL, "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit"),
  );

/** A fork identifier (src/model/formats.ts, isForkIdentifier), with a message per rule. */
export const forkIdentifier = z
  .string()
  .check(
    z.maxLength(FORK_ID_MAX, `must be at most ${FORK_ID_MAX} characters: it appears in hosts <id>.<domain>, label values fork-<id> and names <name>-<id>`),
    z.regex(DNS1123_LABEL, "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit"),
  );

/**
 * A container image reference as the distribution/reference grammar writes it:
 * `[host[:port]/]path[:tag][@digest]`, lower-case path components.
 */
const REF_DOMAIN = String.raw`(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?`;
const REF_PATH = String.raw`[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`;
export const IMAGE_REFERENCE = new RegExp(
  String.raw`^(?:${REF_DOMAIN}/)?${REF_PATH}(?:/${REF_PATH})*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);
export const imageReference = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(4096),
    z.regex(IMAGE_REFERENCE, "must be an image reference such as registry.example.com/team/app:1.2 (host[:port]/path[:tag][@digest])"),
  );

/** A Kubernetes object name (DNS-1123 subdomain). */
export const objectName = z
  .string()
  .check(z.minLength(1), z.maxLength(253), z.regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'"));

export const labelMap = z.record(z.string(), z.string());

/** Kubernetes EnvVar: `value` or `valueFrom`, never both. `valueFrom` keeps the Kubernetes shape. */
export const envVar = z
  .strictObject({
    name: z.string().check(z.minLength(1), z.regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, "must be a valid environment variable name")),
    value: z.optional(z.string()),
    valueFrom: z.optional(
      z.strictObject({
        configMapKeyRef: z.optional(z.record(z.string(), z.unknown())),
        secretKeyRef: z.optional(z.record(z.string(), z.unknown())),
        fieldRef: z.optional(z.record(z.string(), z.unknown())),
        resourceFieldRef: z.optional(z.record(z.string(), z.unknown())),
      }),
    ),
  })
  .check(
    z.refine((e) => !(e.value !== undefined && e.valueFrom !== undefined), {
      message: "set either value or valueFrom, not both",
    }),
  );
export type EnvVar = z.infer<typeof envVar>;

/** One check, one message: the shape and a real calendar date. */
export const rfc3339 = z.string().check(z.refine(isRfc3339, "must be an RFC 3339 date-time such as 2026-12-24T00:00:00Z"));

export const duration = z.string().check(z.regex(DURATION, "must be a duration such as 72h, 90m or 7d"));

