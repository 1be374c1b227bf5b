// Emissary-ingress CRDs, transcribed from emissary-ingress/emissary tag v4.1.0 (commit
// 5497a66908186400d16de0a4fba3e467f4b55e46), charts/emissary-crds/templates/mappings.yaml and
// hosts.yaml (Helm templates; read with enableLegacyVersions: true, which serves getambassador.io/v2:
// the chart's default is false, so a cluster that kept it serves no v2 Mapping at all).
// getambassador.io/v2 Mapping: spec keeps unknown fields (x-kubernetes-preserve-unknown-fields), so
// only the listed ones are checked; add_request_headers and headers keep anything (the v2 shorthand
// `{name: value}` and the object form both pass). getambassador.io/v3alpha1: no unknown fields, and
// add_request_headers values are objects only. Neither has CEL rules. Checked against the CRD node
// by node with a scratch script (kept out of the repository).
import { any, arr, bool, int, map, obj, str, type ObjSchema } from "./schema.ts";

/** v2 Mapping: the fields kubefork writes or copies. */
export const MappingV2: ObjSchema = obj({
  spec: obj(
    {
      add_request_headers: any(),
      case_sensitive: bool(),
      headers: any(),
      host: str(),
      host_rewrite: str(),
      method: str(),
      precedence: int(),
      prefix: str(),
      prefix_regex: bool(),
      rewrite: str(),
      service: str(),
      timeout_ms: int(),
      weight: int(),
    },
    { required: ["prefix", "service"], preserveUnknown: true },
  ),
});

const addedHeaders = () => map(obj({ append: bool(), v2Representation: str({ enum: ["", "string", "null"] }), value: str() }));
/** v3alpha1 Mapping: the fields kubefork writes or copies. */
export const MappingV3alpha1: ObjSchema = obj({
  spec: obj(
    {
      add_request_headers: addedHeaders(),
      add_response_headers: addedHeaders(),
      ambassador_id: arr(str()),
      case_sensitive: bool(),
      connect_timeout_ms: int(),
      headers: map(str()),
      host: str(),
      host_rewrite: str(),
      hostname: str(),
      idle_timeout_ms: int(),
      method: str(),
      precedence: int(),
      prefix: str(),
      prefix_exact: bool(),
      prefix_regex: bool(),
      regex_headers: map(str()),
      remove_request_headers: arr(str()),
      rewrite: str(),
      service: str(),
      timeout_ms: int(),
      weight: int(),
    },
    { required: ["prefix", "service"] },
  ),
});

const selector = () =>
  obj({
    matchExpressions: arr(obj({ key: str(), operator: str(), values: arr(str(), { listType: "atomic" }) }, { required: ["key", "operator"] }), { listType: "atomic" }),
    matchLabels: map(str()),
  });
/** v3alpha1 Host: ambassador_id, hostname, selectors, requestPolicy, tls (two fields), tlsSecret. */
export const HostV3alpha1: ObjSchema = obj({
  spec: obj({
    ambassador_id: arr(str()),
    hostname: str(),
    mappingSelector: selector(),
    requestPolicy: obj({ insecure: obj({ action: str({ enum: ["Redirect", "Reject", "Route"] }), additionalPort: int() }) }),
    selector: selector(),
    tls: obj({ alpn_protocols: str(), min_tls_version: str() }),
    tlsSecret: obj({ name: str(), namespace: str() }),
  }),
});

export const emissarySchemas: Record<string, ObjSchema> = {
  "getambassador.io/v2|Mapping": MappingV2,
  "getambassador.io/v3alpha1|Mapping": MappingV3alpha1,
  "getambassador.io/v3alpha1|Host": HostV3alpha1,
};
