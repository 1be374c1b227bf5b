// The version, set by the bundler (scripts/build.mjs); "0.0.0-dev" when run from source.
declare const __KUBEFORK_VERSION__: string | undefined;
export const VERSION = typeof __KUBEFORK_VERSION__ === "string" ? __KUBEFORK_VERSION__ : "0.0.0-dev";
