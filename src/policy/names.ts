// Names: no two forks, and no fork and the base, ever produce the same object (kind, namespace,
// name). Judged on the objects generated for every live fork, whatever the render's scope
// (render.ts plans all of them for `--fork ID` too), so two Applications never own one object.
// Names kubefork gives shared objects end in `-kubefork` (`<svc>-kubefork`, `<svc>-<port>-kubefork`),
// and fork objects end in `-<id>`: an identifier `kubefork` or ending in `-kubefork` is refused,
// so no fork can make a shared name.
import type { Manifest } from "../model/inputs.ts";
import { objectKey, objectRef, type KObject } from "../model/k8s.ts";
import type { OutputObject } from "../generate/types.ts";
import type { BaseIndex } from "../plan/base-index.ts";
import type { Plan } from "../plan/plan.ts";
import type { Problem } from "../problems.ts";
import { forkViolation } from "./violation.ts";

/** Why an identifier cannot be a fork's, or undefined when it can. */
export function reservedIdentifier(id: string): string | undefined {
  if (id === "kubefork" || id.endsWith("-kubefork")) return `'${id}' would name fork objects like the shared objects kubefork makes (<service>-kubefork)`;
  return undefined;
}

/** The reserved identifiers among the planned forks, as errors at their metadata.name. */
export function checkIdentifiers(plan: Plan): Problem[] {
  const problems: Problem[] = [];
  for (const fp of plan.forks) {
    const why = reservedIdentifier(fp.id);
    if (!why) continue;
    problems.push(forkViolation(fp.loaded, { code: "KF3002", message: `the identifier is reserved: ${why}`, hint: "rename the fork file and its metadata.name" }));
  }
  return problems;
}

const describeObject = (o: KObject, index: BaseIndex) => `${o.kind} ${index.nsOf(o)}/${o.metadata.name}`;

/** Every (kind, namespace, name) that a fork's object shares with the base, another fork or the shared part. */
export function checkObjectNames(base: readonly Manifest[], generated: readonly OutputObject[], plan: Plan, index: BaseIndex): Problem[] {
  const owners = new Map<string, { object: KObject; owner: string | null | "base" }[]>();
  const add = (object: KObject, owner: string | null | "base") => {
    const k = objectKey(object, index.nsOf(object));
    const l = owners.get(k);
    if (l) {
      if (!l.some((x) => x.owner === owner && owner !== null)) l.push({ object, owner });
    } else owners.set(k, [{ object, owner }]);
  };
  for (const m of base) add(m.object, "base");
  for (const g of generated) add(g.object, g.fork);
  const files = new Map(plan.forks.map((fp) => [fp.id, fp]));
  const problems: Problem[] = [];
  for (const list of owners.values()) {
    if (list.length < 2) continue;
    const what = describeObject(list[0]!.object, index);
    const name = (o: string | null | "base") => (o === "base" ? "the base" : o === null ? "the shared part of the render" : `fork '${o}' (${files.get(o)?.file ?? o})`);
    for (const x of list) {
      if (x.owner === "base" || x.owner === null) continue;
      const fp = files.get(x.owner);
      if (!fp) continue;
      const others = list.filter((y) => y !== x).map((y) => name(y.owner));
      problems.push(
        forkViolation(fp.loaded, {
          code: "KF3003",
          object: what,
          ref: objectRef(x.object, index.nsOf(x.object)),
          message: `fork '${fp.id}' produces ${what}, which is also produced by ${others.join(" and ")}`,
          hint: "two Applications would own one object; rename one of the forks (copies are named <name>-<identifier>, so fork b of cart-a and fork a-b of cart collide)",
        }),
      );
    }
  }
  return problems;
}
