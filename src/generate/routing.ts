// The mesh flavours' generators, as a typed table: one adapter per routing flavour
// (src/model/manager.ts ROUTING_FLAVOURS). Every adapter runs in every render: each routes the
// forked hosts the plan gave its flavour (src/plan/routing.ts), and each gives the fork rules to
// the gateway-bound routes of its API that send to any forked Service (a gateway sends straight
// to the endpoints of its backends, so mesh routing never applies there).
import type { RoutingFlavour } from "../model/manager.ts";
import { ROUTING_FLAVOURS } from "../model/manager.ts";
import { generateDestinationRules } from "./destination-rule.ts";
import { generateGatewayApiMesh } from "./mesh-gateway-api.ts";
import { generateIstioMesh } from "./mesh-istio.ts";
import { checkRolloutRoutes } from "./rollout-routes.ts";
import type { Generator } from "./types.ts";

export type Step = readonly [name: string, generator: Generator];

export interface FlavourAdapter {
  /** The flavour's generators, in order. */
  readonly steps: readonly Step[];
}

/** One adapter per flavour: a flavour added to ROUTING_FLAVOURS without one does not compile. */
export type AdapterTable<F extends string = RoutingFlavour> = { readonly [K in F]: FlavourAdapter };

export const ROUTING_ADAPTERS: AdapterTable = {
  istio: {
    steps: [
      // DestinationRule copies follow the Service, whatever routes it: Istio applies them to GAMMA traffic too.
      ["destination-rules", generateDestinationRules],
      ["mesh-istio", generateIstioMesh],
      ["rollout-routes", checkRolloutRoutes],
    ],
  },
  "gateway-api": { steps: [["mesh-gateway-api", generateGatewayApiMesh]] },
};

/** The routing steps of every flavour, in ROUTING_FLAVOURS order. */
export function routingSteps(table: AdapterTable = ROUTING_ADAPTERS): Step[] {
  return ROUTING_FLAVOURS.flatMap((f) => table[f].steps);
}
