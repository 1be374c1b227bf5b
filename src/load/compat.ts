// The original kubefork's Fork (wantedly/kubefork-controller: fork.k8s.wantedly.com/v1beta1; the
// design document writes vsconfig.k8s.wantedly.com/v1beta1) read as a kubefork.dev Fork.
//
// `translateCompat` checks the document against the original's fields (api/v1beta1/fork_types.go)
// and gives a kubefork.dev Fork without workloads, plus notes for what has no meaning here. Its
// workloads come from the base, when the render plans it (src/plan/compat.ts).
import { COMPAT_API_VERSIONS, compatDoc, compatForkSchema, type CompatFork } from "../model/compat-fork.ts";
import type { Fork } from "../model/fork.ts";
import type { LoadedFork } from "../model/inputs.ts";
import type { SourceDoc } from "../model/source.ts";
import { validateDoc } from "../model/validate.ts";
import { error, formatPath, note, warning, type PathSegment, type Problem } from "../problems.ts";

export function isCompatFork(value: unknown): boolean {
  const v = value as { apiVersion?: unknown; kind?: unknown } | null;
  return !!v && typeof v === "object" && (COMPAT_API_VERSIONS as readonly unknown[]).includes(v.apiVersion) && v.kind === "Fork";
}

/**
 * Checks an original kubefork Fork and translates what needs no base. `expectedId` (the file's base
 * name, for files in forks/) must equal spec.identifier.
 */
export function translateCompat(doc: SourceDoc, opts: { expectedId?: string } = {}): { fork?: LoadedFork; problems: Problem[] } {
  const { value, problems } = validateDoc(compatForkSchema, doc, "kubefork Fork");
  if (!value) return { problems };
  const at = (path: PathSegment[]) => {
    const p = doc.locate(path);
    return { file: doc.file, line: p.line, column: p.column, path: formatPath(path) };
  };
  const spec = value.spec;
  const id = spec.identifier;
  if (opts.expectedId !== undefined && id !== opts.expectedId) {
    return {
      problems: [
        error({
          code: "KF2010",
          ...at(["spec", "identifier"]),
          message: `identifier '${id}' does not match the file name '${opts.expectedId}'`,
          hint: `rename the file to ${id}.yaml or set spec.identifier: ${opts.expectedId}`,
        }),
      ],
    };
  }
  const notes = compatNotes(value, at);
  const fork: Fork = {
    apiVersion: "kubefork.dev/v1alpha1",
    kind: "Fork",
    metadata: { name: id },
    spec: { workloads: [], ...(spec.deadline ? { expires: spec.deadline } : {}) },
  };
  return {
    fork: { id, file: doc.file, fork, doc: compatDoc(doc, () => undefined), compat: { original: value, notes } },
    problems: [],
  };
}

/** What the original's fields that kubefork does not carry over become: one note or warning each. */
function compatNotes(value: CompatFork, at: (path: PathSegment[]) => Pick<Problem, "file" | "line" | "column" | "path">): Problem[] {
  const notes: Problem[] = [];
  const spec = value.spec;
  const id = spec.identifier;
  if (spec.manager !== undefined)
    notes.push(note({ code: "KF4052", ...at(["spec", "manager"]), message: `manager '${spec.manager}' is ignored: kubefork.yaml is the ForkManager of this app`, hint: "remove it; kubefork import leaves it out" }));
  const gw = spec.gatewayOptions;
  if (gw?.addRequestHeaders && Object.keys(gw.addRequestHeaders).length)
    notes.push(
      warning({
        code: "KF4053",
        ...at(["spec", "gatewayOptions", "addRequestHeaders"]),
        message: `gatewayOptions.addRequestHeaders (${Object.keys(gw.addRequestHeaders).join(", ")}) has no equivalent: kubefork's ingress adds only the fork header`,
        hint: "set those headers at your gateway or in the client",
      }),
    );
  if (gw?.allowUpgrade?.length)
    notes.push(
      note({
        code: "KF4054",
        ...at(["spec", "gatewayOptions", "allowUpgrade"]),
        message: `gatewayOptions.allowUpgrade (${gw.allowUpgrade.join(", ")}) is ignored: Istio and Gateway API pass WebSocket upgrades through by default`,
      }),
    );
  const mdName = value.metadata?.name;
  if (mdName !== undefined && mdName !== id)
    notes.push(
      note({
        code: "KF4055",
        ...at(["metadata", "name"]),
        message: `the original kubefork named copies <name>-${mdName}; kubefork names them <name>-${id} (after the identifier)`,
        hint: `clients that call a fork Service by name (e.g. <service>-${mdName}) must use <service>-${id}; header routing is unchanged`,
      }),
    );
  return notes;
}
