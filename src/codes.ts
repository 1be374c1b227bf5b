// Stable problem codes, one per kind of problem, as Istio's analyzers (IST0101 ReferencedResourceNotFound)
// and kpt's result tags do it: tools and tests match a code, not a message that may be reworded.
// A code never changes meaning and is never reused; a retired one stays in the table, marked so.
// Ranges follow the pipeline:
//   KF1xxx load      files, parsing, limits of what kubefork reads
//   KF2xxx validate  schemas and the cross-field rules of kubefork.yaml and fork files
//   KF3xxx policy    the ForkManager's guard rails
//   KF4xxx plan      what a fork asks of the base: workloads, Services, names
//   KF5xxx generate  building the output objects, and what kubefork cannot express
//   KF6xxx usage     command-line arguments and render settings
//   KF9xxx internal  a bug in kubefork
// The README's "Problem codes" table is this table (test/codes.test.ts keeps them equal).

export interface CodeInfo {
  /** UpperCamelCase, as Istio's analyzer message names. */
  name: string;
  /** One line: what is wrong. */
  summary: string;
}

export const CODES = {
  // ---------------------------------------------------------------- load
  KF1001: { name: "MalformedYaml", summary: "a file is not well-formed YAML" },
  KF1002: { name: "MalformedJson", summary: "a .json file is not well-formed JSON" },
  KF1003: { name: "DuplicateKey", summary: "a key appears twice in one mapping" },
  KF1004: { name: "TooManyDocuments", summary: "a file holds more YAML documents than kubefork reads from one file" },
  KF1005: { name: "TooDeep", summary: "a document nests deeper than the depth limit" },
  KF1006: { name: "AliasExpansion", summary: "YAML aliases exceed their limit or expand a document past the value limit" },
  // ---------------------------------------------------------------- load: the app directory, base.command, fork entries (KF101x-KF104x)
  KF1010: { name: "Stopped", summary: "kubefork was stopped by SIGTERM or SIGINT before the command finished" },
  KF1011: { name: "OutOfMemory", summary: "the render ran out of its heap before it finished" },
  // ---------------------------------------------------------------- validate
  KF2001: { name: "UnknownField", summary: "a field the schema does not know" },
  KF2002: { name: "MissingField", summary: "a required field is missing" },
  KF2003: { name: "WrongType", summary: "a field holds a value of the wrong type" },
  KF2004: { name: "NotAllowedValue", summary: "a field holds a value outside its allowed set" },
  KF2005: { name: "InvalidValue", summary: "a field's value breaks its format or bounds" },
  KF2006: { name: "FieldOfOtherVariant", summary: "a field that only another kind of entry takes (apiVersion on a kind istio ingress entry)" },
  // ---------------------------------------------------------------- policy
  KF3002: { name: "ReservedIdentifier", summary: "a fork identifier is reserved for names kubefork gives shared objects" },
  KF3003: { name: "ObjectNameTaken", summary: "a fork produces an object that the base, another fork or the shared part produces too" },
  KF3004: { name: "ForkHostTaken", summary: "a fork's host is a host the base already serves or accepts" },
  KF3010: { name: "MaxForks", summary: "more live forks than policy.maxForks" },
  KF3011: { name: "MaxLifetime", summary: "a fork without spec.expires, or expiring later than policy.maxLifetime allows" },
  KF3012: { name: "NamespaceNotAllowed", summary: "a fork copies a workload in a namespace policy.namespaces does not list" },
  KF3013: { name: "MaxReplicas", summary: "a fork asks for more replicas than policy.maxReplicas" },
  KF3014: { name: "ImageNotAllowed", summary: "an image no glob of policy.images matches" },
  // ---------------------------------------------------------------- policy: the generated copies (KF302x)
  // ---------------------------------------------------------------- plan (KF40xx)
  // ---------------------------------------------------------------- generate: routing and ingress (KF50xx)
  // ---------------------------------------------------------------- generate: workload copies (KF51xx)
  // ---------------------------------------------------------------- usage (KF60xx)
  // ---------------------------------------------------------------- internal
  KF9001: { name: "InternalError", summary: "an unexpected failure inside kubefork (a bug)" },
} as const satisfies Record<`KF${number}`, CodeInfo>;

export type ProblemCode = keyof typeof CODES;
