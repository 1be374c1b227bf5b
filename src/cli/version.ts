// The version, set by the bundler (scripts/build.mjs); "0.0.0-dev" when run from source.
declare const __KUBEFORK_VERSION__: string | undefined;
export const VERSION = typeof __KUBEFORK_VERSION__ === "string" ? __KUBEFORK_VERSION__ : "0.0.0-dev";

// A sha256 of the bundle as built, which scripts/build.mjs writes in place of a placeholder
// (scripts/bundle-options.mjs): the render cache's identity of the code, without reading and
// hashing the bundle at every render. Undefined from source and in a bundle built otherwise.
declare const __KUBEFORK_BUILD_ID__: string | undefined;
export const BUILD_ID = typeof __KUBEFORK_BUILD_ID__ === "string" && /^[0-9a-f]{64}$/.test(__KUBEFORK_BUILD_ID__) ? __KUBEFORK_BUILD_ID__ : undefined;
