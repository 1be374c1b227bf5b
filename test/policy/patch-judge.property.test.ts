// The patch judge is incremental (src/policy/copies.ts judges each operation on the scopes it
// touched, from the generator's snapshots); it must decide exactly as the whole-object judge it
// replaced, which rebuilt the copy, applied the patches again one by one on clones and compared
// the whole objects after each operation. That judge is kept here, as it was (src/policy/copies.ts
// before the change), and both judge random patch lists on a workload with init containers,
// volumes and Secrets, and on lists of operations inside container fields (env, args, ports,
// volumeMounts..., by index and `-`, moved and copied between containers), which are judged on
// views of their container list (src/model/patch-scope.ts containerListView).
import fc from "fast-check";
import jsonpatch from "fast-json-patch";
import { describe, expect, it } from "vitest";
import { copyWorkload } from "../../src/generate/workload.ts";
import type { PatchOp } from "../../src/model/fork.ts";
import { ELEMENT_FIELDS, operationScopes, valueAt } from "../../src/model/patch-scope.ts";
import { asRecord, clone, type KObject } from "../../src/model/k8s.ts";
import type { Policy } from "../../src/model/manager.ts";
import type { BaseIndex } from "../../src/plan/base-index.ts";
import type { ForkPlan, WorkloadPlan } from "../../src/plan/plan.ts";
import { ALLOWED_CONTAINER_FIELDS, disallowedLeaves, type AllowContext } from "../../src/policy/allowlist.ts";
import { checkWorkload, globMatch, imagesOf, pathAllowed, secretsOf, startPatchJudge, type PatchJudge } from "../../src/policy/copies.ts";
import { imageMatches, normalizeImage } from "../../src/policy/policy.ts";
import { error, formatPath, type PathSegment, type Problem } from "../../src/problems.ts";
import { context, fork, service } from "../helpers/inprocess.ts";

// eslint-disable-next-line
function wholeObjectJudge(input: { index: BaseIndex }, policy: Policy, fp: ForkPlan, wp: WorkloadPlan, final: KObject, pre: KObject): Problem[] {
  const problems: Problem[] = [];
  const entryPath: PathSegment[] = ["spec", "workloads", wp.entryIndex];
  // The codes of the rules (src/codes.ts), and the base workload as the object of every report.
  const codes = { allowPatchPaths: "KF3020", allowSecretRefs: "KF3021", maxReplicas: "KF3013", images: "KF3014" } as const;
  const ref = { apiVersion: wp.base.object.apiVersion, kind: wp.base.object.kind, namespace: wp.namespace, name: wp.base.object.metadata.name, file: wp.base.doc.file, index: wp.base.doc.index, line: wp.base.doc.line };
  const violation = (path: PathSegment[], rule: keyof typeof codes, message: string, hint: string) => {
    const pos = fp.loaded.doc.locate(path);
    problems.push(error({ kind: "policy", code: codes[rule], file: fp.file, line: pos.line, column: pos.column, path: formatPath(path), object: `${wp.kind} ${wp.namespace}/${wp.name}`, ref, message: `${message} (policy.${rule})`, hint }));
  };
  const base = wp.base.object;
  const baseImages = imagesOf(base);
  const baseSecrets = secretsOf(base);
  const secretAllowed = (name: string) => baseSecrets.has(name) || (policy.allowSecretRefs ?? []).some((p) => globMatch(p, name));
  const imageAllowed = (key: string, image: string) => !policy.images || baseImages.get(key) === image || policy.images.some((p) => imageMatches(p, image));
  const imageHint = () => `images must match one of: ${(policy.images ?? []).join(", ")}`;
  const secretHint = (name: string) => `the base ${wp.kind} does not use Secret ${name}; reference only its Secrets, or list ${name} in policy.allowSecretRefs of kubefork.yaml`;
  const reportedImages = new Set<string>();
  const reportedSecrets = new Set<string>();

  // Secrets referenced by the fork file's env (fork-wide, per workload, per container).
  const spec = fp.loaded.fork.spec;
  const envLists: { path: PathSegment[]; env: readonly { valueFrom?: { secretKeyRef?: Record<string, unknown> } }[] | undefined }[] = [
    { path: ["spec", "env"], env: spec.env },
    { path: [...entryPath, "env"], env: wp.entry.env },
    ...(wp.entry.containers ?? []).map((c, j) => ({ path: [...entryPath, "containers", j, "env"], env: c.env })),
  ];
  for (const { path, env } of envLists)
    (env ?? []).forEach((e, j) => {
      const name = e.valueFrom?.secretKeyRef?.name;
      if (typeof name === "string" && !secretAllowed(name)) {
        reportedSecrets.add(name);
        violation([...path, j, "valueFrom", "secretKeyRef", "name"], "allowSecretRefs", `the fork references Secret ${name}, which the base ${wp.kind} does not`, secretHint(name));
      }
    });
  // Secrets a fork's spec.secretRefs points the copies at (read only when the copy uses them).
  const finalSecrets = secretsOf(final);
  (spec.secretRefs ?? []).forEach((r, j) => {
    if (finalSecrets.has(r.to) && !secretAllowed(r.to) && !reportedSecrets.has(r.to)) {
      reportedSecrets.add(r.to);
      violation(["spec", "secretRefs", j, "to"], "allowSecretRefs", `the fork points ${wp.kind} ${wp.name} at Secret ${r.to}, which the base ${wp.kind} does not use`, secretHint(r.to));
    }
  });
  // Images set by the fork file are checked by checkPolicy; remember them so they are reported once.
  const declared = new Set([wp.entry.image, ...(wp.entry.containers ?? []).map((c) => c.image)].filter((x): x is string => x !== undefined));
  for (const [key, image] of imagesOf(final)) if (declared.has(image)) reportedImages.add(`${key}|${image}`);

  // Patches, one operation at a time, judged by what each changes in the copy (src/policy/allowlist.ts)
  // against the copy as kubefork makes it from the fork file's other fields, which are all allowed.
  const allow: AllowContext = { readLabels: input.index.readLabels() };
  let reportedReplicas = wp.entry.replicas > (policy.maxReplicas ?? Infinity); // reported by checkPolicy
  const patches = wp.entry.patches ?? [];
  if (patches.length > 0) {
    {
      let state: KObject = pre;
      let before = disallowedLeaves(pre, pre, allow);
      for (let k = 0; k < patches.length; k++) {
        const op = patches[k]!;
        let next: KObject;
        try {
          next = jsonpatch.applyOperation(clone(state), clone(op) as jsonpatch.Operation, true, true, true, k).newDocument as KObject;
        } catch {
          break; // the workload generator reports the failing operation
        }
        const opPath: PathSegment[] = [...entryPath, "patches", k];
        const what = `patch operation ${k} (${op.op} ${op.path}${op.from !== undefined ? ` from ${op.from}` : ""})`;
        const after = disallowedLeaves(pre, next, allow);
        const denied = [...after].filter(([key, leaf]) => before.get(key)?.value !== leaf.value && !pathAllowed(leaf.pointer, policy.allowPatchPaths ?? [])).map(([, leaf]) => leaf);
        if (denied.length > 0) {
          const rules = [...new Set(denied.map((c) => c.rule))];
          const shown = denied.slice(0, 5).map((c) => c.pointer);
          violation(
            opPath,
            "allowPatchPaths",
            `${what} changes restricted field${denied.length > 1 ? "s" : ""} (${rules.join(", ")}): ${shown.join(", ")}${denied.length > shown.length ? `, and ${denied.length - shown.length} more` : ""}`,
            `a fork may change only images, env, args, command, resources, replicas, and labels and annotations no base selector, mesh or security setting reads; if the platform team allows this, list ${shown[0]} in spec.policy.allowPatchPaths of kubefork.yaml`,
          );
        }
        const maxReplicas = policy.maxReplicas;
        const replicas = asRecord(next.spec)?.replicas;
        if (maxReplicas !== undefined && typeof replicas === "number" && replicas > maxReplicas && replicas !== asRecord(state.spec)?.replicas) {
          reportedReplicas = true;
          violation(opPath, "maxReplicas", `${what} sets replicas ${replicas}, which exceeds maxReplicas ${maxReplicas}`, `set replicas to at most ${maxReplicas}`);
        }
        before = after;
        const imagesBefore = imagesOf(state);
        for (const [key, image] of imagesOf(next)) {
          if (imagesBefore.get(key) === image || reportedImages.has(`${key}|${image}`) || imageAllowed(key, image)) continue;
          reportedImages.add(`${key}|${image}`);
          violation(opPath, "images", `${what} sets image ${image} on ${key}, which is not allowed${normalizeImage(image) !== image ? ` (it is ${normalizeImage(image)})` : ""}`, imageHint());
        }
        const had = secretsOf(state);
        for (const name of secretsOf(next)) {
          if (had.has(name) || reportedSecrets.has(name) || secretAllowed(name)) continue;
          reportedSecrets.add(name);
          violation(opPath, "allowSecretRefs", `${what} references Secret ${name}, which the base ${wp.kind} does not`, secretHint(name));
        }
        state = next;
      }
    }
  }

  // Whatever else: the final copy against the base.
  const finalReplicas = asRecord(final.spec)?.replicas;
  if (!reportedReplicas && policy.maxReplicas !== undefined && typeof finalReplicas === "number" && finalReplicas > policy.maxReplicas)
    violation([...entryPath, "replicas"], "maxReplicas", `the copy runs ${finalReplicas} replicas, which exceeds maxReplicas ${policy.maxReplicas}`, `set replicas to at most ${policy.maxReplicas}`);
  for (const [key, image] of imagesOf(final))
    if (!reportedImages.has(`${key}|${image}`) && !imageAllowed(key, image)) violation(entryPath, "images", `the copy runs image ${image} on ${key}, which is not allowed`, imageHint());
  for (const name of secretsOf(final))
    if (!reportedSecrets.has(name) && !secretAllowed(name)) violation(entryPath, "allowSecretRefs", `the copy references Secret ${name}, which the base ${wp.kind} does not`, secretHint(name));
  return problems;
}


const BASE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {team: a}
  annotations: {note: x}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, tier: front}
      annotations: {a: b}
    spec:
      serviceAccountName: web
      initContainers:
        - {name: init, image: registry.example.com/init:1, env: [{name: MODE, value: init}]}
      containers:
        - name: web
          image: registry.example.com/web:1
          env: [{name: DB, valueFrom: {secretKeyRef: {name: web-db, key: password}}}]
          ports: [{name: http, containerPort: 8080}]
          volumeMounts: [{name: creds, mountPath: /etc/creds}]
        - {name: log, image: registry.example.com/log:1, args: [--json]}
      volumes:
        - {name: creds, secret: {secretName: web-tls}}
        - {name: tmp, emptyDir: {}}
      imagePullSecrets: [{name: pull}]
`;

const POINTERS = [
  "",
  "/metadata",
  "/metadata/labels",
  "/metadata/labels/team",
  "/metadata/labels/l1",
  "/metadata/annotations/note",
  "/metadata/annotations/sidecar.istio.io~1inject",
  "/metadata/finalizers",
  "/metadata/finalizers/0",
  "/spec/replicas",
  "/spec/paused",
  "/spec/strategy",
  "/spec/template",
  "/spec/template/metadata",
  "/spec/template/metadata/labels/tier",
  "/spec/template/metadata/labels/x",
  "/spec/template/metadata/labels/app",
  "/spec/template/metadata/annotations/a",
  "/spec/template/metadata/annotations/sidecar.istio.io~1inject",
  "/spec/template/spec",
  "/spec/template/spec/hostNetwork",
  "/spec/template/spec/serviceAccountName",
  "/spec/template/spec/containers",
  "/spec/template/spec/containers/0",
  "/spec/template/spec/containers/1",
  "/spec/template/spec/containers/-",
  "/spec/template/spec/containers/0/image",
  "/spec/template/spec/containers/1/image",
  "/spec/template/spec/containers/0/name",
  "/spec/template/spec/containers/0/env",
  "/spec/template/spec/containers/0/env/0",
  "/spec/template/spec/containers/0/env/-",
  "/spec/template/spec/containers/0/securityContext",
  "/spec/template/spec/initContainers/0/image",
  "/spec/template/spec/volumes",
  "/spec/template/spec/volumes/0",
  "/spec/template/spec/volumes/-",
  "/spec/template/spec/volumes/1/emptyDir",
  "/spec/template/spec/imagePullSecrets",
  "/spec/template/spec/imagePullSecrets/0/name",
];

/** Pointers inside container fields: judged on views of their container list. */
const FIELD_POINTERS = [
  "/spec/template/spec/containers/0/env/0",
  "/spec/template/spec/containers/0/env/1",
  "/spec/template/spec/containers/0/env/-",
  "/spec/template/spec/containers/0/env/0/value",
  "/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name",
  "/spec/template/spec/containers/0/env/01",
  "/spec/template/spec/containers/01/env/-",
  "/spec/template/spec/containers/1/env",
  "/spec/template/spec/containers/1/env/0",
  "/spec/template/spec/containers/1/env/-",
  "/spec/template/spec/containers/2/env/-",
  "/spec/template/spec/containers/2/image",
  "/spec/template/spec/containers/2/ports",
  "/spec/template/spec/containers/0/envFrom",
  "/spec/template/spec/containers/0/envFrom/-",
  "/spec/template/spec/containers/0/ports",
  "/spec/template/spec/containers/0/ports/0",
  "/spec/template/spec/containers/0/ports/-",
  "/spec/template/spec/containers/0/ports/0/hostPort",
  "/spec/template/spec/containers/1/ports/-",
  "/spec/template/spec/containers/0/volumeMounts",
  "/spec/template/spec/containers/0/volumeMounts/0",
  "/spec/template/spec/containers/0/volumeMounts/-",
  "/spec/template/spec/containers/1/volumeMounts",
  "/spec/template/spec/containers/1/args",
  "/spec/template/spec/containers/1/args/0",
  "/spec/template/spec/containers/1/args/-",
  "/spec/template/spec/containers/0/command",
  "/spec/template/spec/containers/0/resources/limits",
  "/spec/template/spec/containers/0/securityContext/privileged",
  "/spec/template/spec/containers/0/image",
  "/spec/template/spec/containers/1/image",
  "/spec/template/spec/containers/0/name",
  "/spec/template/spec/containers/1/name",
  "/spec/template/spec/containers/-",
  "/spec/template/spec/containers/0",
  "/spec/template/spec/initContainers/0/env/-",
  "/spec/template/spec/initContainers/0/env/0",
  "/spec/template/spec/initContainers/0/image",
];

const VALUES: unknown[] = [
  "v",
  "web-db",
  1,
  5,
  true,
  {},
  [],
  { a: "b" },
  "registry.example.com/web:2",
  "evil.example/web:1",
  { name: "side", image: "evil.example/side:1" },
  { name: "web", image: "registry.example.com/web:3" },
  { name: "E", valueFrom: { secretKeyRef: { name: "prod-admin", key: "k" } } },
  { name: "extra", secret: { secretName: "prod-admin" } },
  [{ name: "prod-pull" }],
  { privileged: true },
  { name: "E2", value: "v" },
  { name: "p", containerPort: 80 },
  { containerPort: 81, hostPort: 81 },
  { name: "m", mountPath: "/x" },
  { secretRef: { name: "prod-env" } },
  { image: "registry.example.com/anon:1" },
  "--flag",
  "web",
];

const operationOn = (pointers: readonly string[]): fc.Arbitrary<PatchOp> =>
  fc.oneof(
    fc.record({ op: fc.constantFrom("add" as const, "replace" as const, "test" as const), path: fc.constantFrom(...pointers), value: fc.constantFrom(...VALUES) }),
    fc.record({ op: fc.constant("remove" as const), path: fc.constantFrom(...pointers) }),
    fc.record({ op: fc.constantFrom("move" as const, "copy" as const), path: fc.constantFrom(...pointers), from: fc.constantFrom(...pointers) }),
  );
const operation = operationOn([...POINTERS, ...FIELD_POINTERS]);
/** Mostly inside container fields, so that long lists of them apply. */
const fieldOperation = fc.oneof({ weight: 5, arbitrary: operationOn(FIELD_POINTERS) }, { weight: 1, arbitrary: operation });

/** Operations on the pod's volume list: judged on views of the one volume they touch. */
const V = "/spec/template/spec/volumes";
const VOLUME_ITEMS = [...[0, 1, 2, 3, 4, 7].map((i) => `${V}/${i}`), `${V}/-`, `${V}/-`, `${V}/-`, `${V}/01`];
const VOLUME_FIELDS = [`${V}/0/name`, `${V}/1/name`, `${V}/2/name`, `${V}/0/secret/secretName`, `${V}/2/secret`, `${V}/1/emptyDir`, `${V}/3/hostPath`, `${V}/0/projected/sources/-`];
const ENV_ITEMS = ["/spec/template/spec/containers/0/env/0", "/spec/template/spec/containers/0/env/-"];
const VOLUME_NAMES = ["creds", "tmp", ...Array.from({ length: 40 }, (_, i) => `v${i}`)];
/** Volumes, mostly named plainly (the view), some that make the list's keys depend on the others (the whole list). */
const volume: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .record({
        name: fc.constantFrom(...VOLUME_NAMES),
        source: fc.constantFrom<Record<string, unknown>>(
          { emptyDir: {} },
          { secret: { secretName: "web-tls" } },
          { secret: { secretName: "prod-admin" } },
          { secret: { secretName: "other" } },
          { hostPath: { path: "/x" } },
          { persistentVolumeClaim: { claimName: "data" } },
          { projected: { sources: [{ secret: { name: "prod-p" } }, { configMap: { name: "c" } }] } },
          {},
        ),
      })
      .map(({ name, source }) => ({ name, ...source })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>({ emptyDir: {} }, { name: "creds#", emptyDir: {} }, { name: "#1", emptyDir: {} }, { name: "#", secret: { secretName: "s#" } }, { name: "tmp/emptyDir", emptyDir: {} }, { name: "creds/secret/secretName", emptyDir: {} }, { name: 5, emptyDir: {} }, "v1", 7, [], {}),
  },
);
const fieldValue = fc.oneof(fc.constantFrom(...VOLUME_NAMES), fc.constantFrom<unknown>("prod-admin", "web-tls", "creds#", {}, { path: "/y" }, { secretName: "prod-q" }, { secret: { name: "prod-q" } }, [], 3));
const volumeOperation: fc.Arbitrary<PatchOp> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constantFrom("add" as const, "replace" as const), path: fc.constantFrom(...VOLUME_ITEMS), value: volume }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom("add" as const, "replace" as const), path: fc.constantFrom(...VOLUME_FIELDS), value: fieldValue }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("remove" as const), path: fc.constantFrom(...VOLUME_ITEMS, ...VOLUME_FIELDS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("move" as const, "copy" as const), path: fc.constantFrom(...VOLUME_ITEMS, ...ENV_ITEMS), from: fc.constantFrom(...VOLUME_ITEMS, ...VOLUME_FIELDS, ...ENV_ITEMS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("test" as const), path: fc.constantFrom(...VOLUME_ITEMS), value: volume }) },
  { weight: 1, arbitrary: operation },
);

const POLICIES: Policy[] = [
  { images: ["registry.example.com/*"], maxReplicas: 3 },
  { allowPatchPaths: ["/spec/template/spec/containers/*/securityContext", "/metadata/labels"], allowSecretRefs: ["prod-*"], maxReplicas: 1 },
  {},
];

describe("the incremental patch judge decides as the whole-object judge", () => {
  const { ctx } = context({ base: `${BASE}---\n${service("web", { app: "web" })}`, forks: { x: fork("x", "    - name: web\n") } });
  const fp: ForkPlan = ctx.plan.forks[0]!;
  const wp0: WorkloadPlan = fp.workloads[0]!;
  const pre = copyWorkload(wp0, fp, ctx.index, "FORK_IDENTIFIER").copy!.object;

  const judgesAlike = (patches: PatchOp[], policy: Policy): number | undefined => {
    const wp: WorkloadPlan = { ...wp0, entry: { ...wp0.entry, patches } };
    const copy = copyWorkload(wp, fp, ctx.index, "FORK_IDENTIFIER").copy;
    if (!copy) return undefined;
    const manager = { ...ctx.manager, spec: { ...ctx.manager.spec, policy } };
    const incremental = checkWorkload({ manager, index: ctx.index }, fp, wp, copy);
    const whole = wholeObjectJudge({ index: ctx.index }, policy, fp, wp, copy.object, pre);
    expect(incremental).toEqual(whole);
    // The same judge watching the patches as they are applied (what render does), no step kept.
    let judge: PatchJudge | undefined;
    const watched = copyWorkload(wp, fp, ctx.index, "FORK_IDENTIFIER", (f, w, unpatched) => (judge = startPatchJudge(manager, ctx.index, f, w, unpatched))).copy!;
    expect(watched.steps).toEqual([]);
    expect(judge ? judge.finish(watched.object) : checkWorkload({ manager, index: ctx.index }, fp, wp, watched)).toEqual(whole);
    return whole.length;
  };
  const runs = Number(process.env.FUZZ_RUNS ?? 2000);
  const seed = Number(process.env.FUZZ_SEED ?? 1613);

  /** The operations of a list that apply, each after the ones kept before it (so that long lists apply). */
  const applicable = (patches: PatchOp[]): PatchOp[] => {
    let doc: unknown = clone(pre);
    return patches.filter((op) => {
      try {
        doc = jsonpatch.applyOperation(clone(doc), clone(op) as jsonpatch.Operation, true, true, true).newDocument;
        return true;
      } catch {
        return false;
      }
    });
  };

  it.each<[string, fc.Arbitrary<PatchOp[]>]>([
    ["on random patch lists", fc.array(operation, { maxLength: 12 })],
    ["on lists of operations inside container fields that apply", fc.array(fieldOperation, { maxLength: 24 }).map(applicable)],
  ])("%s (both judge only copies that generate: a failing operation or a broken isolation has no copy)", (_name, list) => {
    let judged = 0;
    let violations = 0;
    fc.assert(
      fc.property(list, fc.constantFrom(...POLICIES), (patches, policy) => {
        const v = judgesAlike(patches, policy);
        if (v === undefined) return;
        judged++;
        violations += v;
      }),
      { numRuns: runs, seed },
    );
    // The generator produces copies and violations often enough for the comparison to mean something.
    expect(judged).toBeGreaterThan(200);
    expect(violations).toBeGreaterThan(100);
  });

  it("on lists of operations on volumes that apply, judged on views of one volume while the list's names are plain, else on the whole lists", () => {
    /** The names of a volume list are plain: each once, a string without `/`. */
    const plain = (doc: unknown) => {
      const names = (valueAt(doc, ["spec", "template", "spec", "volumes"]) as unknown[]).map((x) => asRecord(x)?.name);
      return names.every((n) => typeof n === "string" && !n.includes("/")) && new Set(names).size === names.length;
    };
    let judged = 0;
    let violations = 0;
    const views = { plain: 0, odd: 0 };
    fc.assert(
      fc.property(fc.array(volumeOperation, { minLength: 5, maxLength: 25 }).map(applicable), fc.constantFrom(...POLICIES), (patches, policy) => {
        const v = judgesAlike(patches, policy);
        if (v === undefined) return;
        judged++;
        violations += v;
        let doc: unknown = clone(pre);
        for (const op of patches) {
          const viewed = operationScopes(op, doc).some((sc) => sc.volume);
          const was = viewed && plain(doc);
          doc = jsonpatch.applyOperation(clone(doc), clone(op) as jsonpatch.Operation, true, true, true).newDocument;
          if (viewed) views[was && plain(doc) ? "plain" : "odd"]++;
        }
      }),
      // Half the runs: each judges a list of up to 25 operations twice over.
      { numRuns: Math.ceil(runs / 2), seed },
    );
    expect(judged).toBeGreaterThan(200);
    expect(violations).toBeGreaterThan(1000);
    // Both ways of judging a volume operation are exercised.
    expect(views.plain).toBeGreaterThan(1500);
    expect(views.odd).toBeGreaterThan(1000);
  });

  const C = "/spec/template/spec/containers";
  const newWeb = { name: "web", image: "registry.example.com/web:3" };
  const newSide = { name: "side", image: "registry.example.com/side:1", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] };
  it.each<[string, PatchOp[]]>([
    ["an image set on a container another of the same name shadows", [{ op: "add", path: `${C}/-`, value: newWeb }, { op: "replace", path: `${C}/0/image`, value: "evil.example/web:1" }]],
    ["an image set on the container that shadows another", [{ op: "add", path: `${C}/-`, value: newWeb }, { op: "replace", path: `${C}/2/image`, value: "evil.example/web:1" }]],
    ["names swapped, so that a name of the reference names another container", [{ op: "replace", path: `${C}/0/name`, value: "x" }, { op: "replace", path: `${C}/1/name`, value: "web" }, { op: "add", path: `${C}/1/env/-`, value: { name: "E", value: "v" } }]],
    ["env elements of a new container reordered, replaced by themselves, removed", [
      { op: "add", path: `${C}/-`, value: newSide },
      { op: "move", from: `${C}/2/env/0`, path: `${C}/2/env/-` },
      { op: "replace", path: `${C}/2/env/0`, value: { name: "B", value: "2" } },
      { op: "copy", from: `${C}/2/env/0`, path: `${C}/2/env/1` },
      { op: "remove", path: `${C}/2/env/0` },
    ]],
    ["an env element moved between containers, with its Secret", [{ op: "move", from: `${C}/0/env/0`, path: `${C}/1/env/-` }, { op: "add", path: `${C}/1/env/-`, value: { name: "E", valueFrom: { secretKeyRef: { name: "prod-admin", key: "k" } } } }]],
    // Volumes: the view while the names are plain, the whole list once they are not.
    ["a volume whose name, with a `/`, makes its key that of a change of another volume", [
      { op: "replace", path: `${V}/0/secret/secretName`, value: "other" },
      { op: "add", path: `${V}/-`, value: { name: "creds/secret/secretName", emptyDir: {} } },
      { op: "replace", path: `${V}/0/secret/secretName`, value: "other2" },
    ]],
    ["a volume inserted before unnamed ones, whose keys are their indices", [
      { op: "add", path: `${V}/-`, value: { emptyDir: {} } },
      { op: "add", path: `${V}/-`, value: { hostPath: { path: "/x" } } },
      { op: "add", path: `${V}/0`, value: { name: "v1", emptyDir: {} } },
      { op: "remove", path: `${V}/0` },
    ]],
    ["a second volume of a name, changed, renamed, removed", [
      { op: "add", path: `${V}/0`, value: { name: "tmp", hostPath: { path: "/x" } } },
      { op: "replace", path: `${V}/2/emptyDir`, value: { medium: "Memory" } },
      { op: "replace", path: `${V}/0/name`, value: "v1" },
      { op: "replace", path: `${V}/2/emptyDir`, value: {} },
      { op: "remove", path: `${V}/1` },
      { op: "add", path: `${V}/-`, value: { name: "creds", secret: { secretName: "prod-admin" } } },
    ]],
    ["volumes appended, inserted, replaced and removed by index, Secrets among them", [
      { op: "add", path: `${V}/-`, value: { name: "a", secret: { secretName: "prod-admin" } } },
      { op: "add", path: `${V}/1`, value: { name: "b", hostPath: { path: "/x" } } },
      { op: "replace", path: `${V}/0`, value: { name: "creds", secret: { secretName: "other" } } },
      { op: "remove", path: `${V}/0` },
      { op: "move", from: `${V}/0`, path: `${V}/-` },
      { op: "copy", from: `${V}/2`, path: `${V}/0` },
      { op: "replace", path: `${V}/0/name`, value: "c" },
    ]],
    ["ports emptied then refilled, a hostPort", [{ op: "remove", path: `${C}/0/ports/0` }, { op: "add", path: `${C}/0/ports/-`, value: { name: "http", containerPort: 8080 } }, { op: "add", path: `${C}/0/ports/0/hostPort`, value: 80 }]],
  ])("on %s", (_name, patches) => {
    for (const policy of POLICIES) expect(judgesAlike(patches, policy)).toBeDefined();
  });

  it("judges an operation on one volume on a view of it, not the whole list", () => {
    const at = ["spec", "template", "spec", "volumes"];
    expect(operationScopes({ op: "add", path: `${V}/-` }, pre)).toEqual([{ at, volume: { index: 2, mode: "insert" } }]);
    expect(operationScopes({ op: "add", path: `${V}/1` }, pre)).toEqual([{ at, volume: { index: 1, mode: "insert" } }]);
    expect(operationScopes({ op: "remove", path: `${V}/1` }, pre)).toEqual([{ at, volume: { index: 1, mode: "remove" } }]);
    expect(operationScopes({ op: "replace", path: `${V}/0` }, pre)).toEqual([{ at, volume: { index: 0, mode: "set" } }]);
    expect(operationScopes({ op: "remove", path: `${V}/0/secret/secretName` }, pre)).toEqual([{ at, volume: { index: 0, mode: "set" } }]);
    expect(operationScopes({ op: "copy", from: `${V}/0`, path: `${V}/-` }, pre)).toEqual([{ at, volume: { index: 2, mode: "insert" } }]);
    // Two volumes of one operation, an index out of the list or not plain, the list itself: the whole list.
    expect(operationScopes({ op: "move", from: `${V}/0`, path: `${V}/-` }, pre)).toEqual([{ at }]);
    expect(operationScopes({ op: "remove", path: `${V}/2` }, pre)).toEqual([{ at }]);
    expect(operationScopes({ op: "add", path: `${V}/01` }, pre)).toEqual([{ at }]);
    expect(operationScopes({ op: "replace", path: V }, pre)).toEqual([{ at }]);
  });

  it("judges an operation inside a container field on a view of one element, not the whole list", () => {
    for (const f of ELEMENT_FIELDS) expect(ALLOWED_CONTAINER_FIELDS.has(f)).toBe(true);
    expect(operationScopes({ op: "add", path: "/spec/template/spec/containers/0/env/-" }, pre)).toEqual([
      { at: ["spec", "template", "spec", "containers"], touches: [{ item: 0, field: "env", element: { index: 2, mode: "insert" } }] },
    ]);
    expect(operationScopes({ op: "move", from: "/spec/template/spec/containers/0/env/0", path: "/spec/template/spec/containers/1/env/-" }, pre)).toEqual([
      {
        at: ["spec", "template", "spec", "containers"],
        touches: [
          { item: 1, field: "env", element: { index: 1, mode: "insert" } },
          { item: 0, field: "env", element: { index: 0, mode: "remove" } },
        ],
      },
    ]);
    // The container's name is its identity: the whole list.
    expect(operationScopes({ op: "replace", path: "/spec/template/spec/containers/0/name" }, pre)).toEqual([{ at: ["spec", "template", "spec", "containers"] }]);
  });
});

describe("patches that leave no object, or move a location into itself, are errors (they were internal failures)", () => {
  const { ctx } = context({ base: `${BASE}---\n${service("web", { app: "web" })}`, forks: { x: fork("x", "    - name: web\n") } });
  const fp: ForkPlan = ctx.plan.forks[0]!;
  const wp0: WorkloadPlan = fp.workloads[0]!;
  it.each<[string, PatchOp[], string, string]>([
    ["remove of the whole document", [{ op: "remove", path: "" }], "KF5104", 'the patches leave no object (an operation on the path "" removed or replaced the whole copy)'],
    ["move into a child", [{ op: "move", from: "/spec/template", path: "/spec/template/spec/x" }], "KF5103", "patch operation 0 (move /spec/template/spec/x) failed: a location cannot be moved into one of its own children (RFC 6902 section 4.4)"],
    ["move of the document into a child", [{ op: "move", from: "", path: "/spec/x" }], "KF5103", "patch operation 0 (move /spec/x) failed: a location cannot be moved into one of its own children (RFC 6902 section 4.4)"],
  ])("%s", (_name, patches, code, message) => {
    const r = copyWorkload({ ...wp0, entry: { ...wp0.entry, patches } }, fp, ctx.index, "FORK_IDENTIFIER");
    expect(r.copy).toBeUndefined();
    expect(r.problems.map((p) => [p.severity, p.code, p.path, p.message])).toEqual([["error", code, "spec.workloads[0].patches[0]", message]]);
    expect(r.problems[0]!.ref).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" });
  });
});
