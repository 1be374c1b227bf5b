// Gateway API v1.2.1 (kubernetes-sigs/gateway-api, tag v1.2.1, commit
// a8fe5c8732a37ef471d86afaf570ff8ad0ef0221), transcribed from
//   config/crd/standard/gateway.networking.k8s.io_httproutes.yaml     (HTTPRoute v1)
//   config/crd/experimental/gateway.networking.k8s.io_httproutes.yaml (fields/rules marked experimental)
//   config/crd/standard/gateway.networking.k8s.io_gateways.yaml       (Gateway v1: gatewayClassName, listeners)
//   config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml (ReferenceGrant v1beta1)
// spec.* openAPIV3Schema, status left out (kubefork never writes it). Every CEL rule is verbatim
// with its message; where the two channels differ, each rule carries its channel. The CRD repeats
// some definitions (filters under rules[] and under backendRefs[]): they are one constant here.
// Checked against the CRD files node by node with a scratch script (kept out of the repository):
// the same properties, constraints, defaults and rules.
import { arr, experimental, int, map, obj, rule, str, type ObjSchema, type Schema } from "./schema.ts";

const GROUP = "^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const KIND = "^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$";
const NAMESPACE = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const SECTION_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const PRECISE_HOSTNAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const HOSTNAME = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const HEADER_NAME = "^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$";
const DURATION = "^([0-9]{1,5}(h|m|s|ms)){1,4}$";

const group = (dflt?: string) => str({ maxLength: 253, pattern: GROUP, ...(dflt !== undefined ? { default: dflt } : {}) });
const kind = (dflt?: string) => str({ maxLength: 63, minLength: 1, pattern: KIND, ...(dflt !== undefined ? { default: dflt } : {}) });
const objectName = () => str({ maxLength: 253, minLength: 1 });
const namespace = () => str({ maxLength: 63, minLength: 1, pattern: NAMESPACE });
const portNumber = () => int({ maximum: 65535, minimum: 1, format: "int32" });

// BackendObjectReference (requestMirror.backendRef) and BackendRef (rules[].backendRefs[]).
const MUST_HAVE_PORT = rule("(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true", "Must have port for Service reference");
const backendObjectReference = { group: group(""), kind: kind("Service"), name: objectName(), namespace: namespace(), port: portNumber() };

const headerList = (valueMax: number) =>
  arr(obj({ name: str({ maxLength: 256, minLength: 1, pattern: HEADER_NAME }), value: str({ maxLength: valueMax, minLength: 1 }) }, { required: ["name", "value"] }), {
    maxItems: 16,
    listType: "map",
    listMapKeys: ["name"],
  });
// HTTPHeaderFilter (requestHeaderModifier, responseHeaderModifier).
const headerFilter = obj({ add: headerList(4096), remove: arr(str(), { maxItems: 16, listType: "set" }), set: headerList(4096) });

// HTTPPathModifier (requestRedirect.path, urlRewrite.path).
const pathModifier = obj(
  { replaceFullPath: str({ maxLength: 1024 }), replacePrefixMatch: str({ maxLength: 1024 }), type: str({ enum: ["ReplaceFullPath", "ReplacePrefixMatch"] }) },
  {
    required: ["type"],
    cel: [
      rule("self.type == 'ReplaceFullPath' ? has(self.replaceFullPath) : true", "replaceFullPath must be specified when type is set to 'ReplaceFullPath'"),
      rule("has(self.replaceFullPath) ? self.type == 'ReplaceFullPath' : true", "type must be 'ReplaceFullPath' when replaceFullPath is set"),
      rule("self.type == 'ReplacePrefixMatch' ? has(self.replacePrefixMatch) : true", "replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'"),
      rule("has(self.replacePrefixMatch) ? self.type == 'ReplacePrefixMatch' : true", "type must be 'ReplacePrefixMatch' when replacePrefixMatch is set"),
    ],
  },
);

const requestMirror = obj(
  {
    backendRef: obj(backendObjectReference, { required: ["name"], cel: [MUST_HAVE_PORT] }),
    fraction: experimental(
      obj(
        { denominator: int({ default: 100, minimum: 1, format: "int32" }), numerator: int({ minimum: 0, format: "int32" }) },
        { required: ["numerator"], cel: [rule("self.numerator <= self.denominator", "numerator must be less than or equal to denominator")] },
      ),
    ),
    percent: experimental(int({ maximum: 100, minimum: 0, format: "int32" })),
  },
  { required: ["backendRef"], cel: [rule("!(has(self.percent) && has(self.fraction))", "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter", "experimental")] },
);

// HTTPRouteFilter.
const filter = obj(
  {
    extensionRef: obj({ group: group(), kind: kind(), name: objectName() }, { required: ["group", "kind", "name"] }),
    requestHeaderModifier: headerFilter,
    requestMirror,
    requestRedirect: obj({
      hostname: str({ maxLength: 253, minLength: 1, pattern: PRECISE_HOSTNAME }),
      path: pathModifier,
      port: portNumber(),
      scheme: str({ enum: ["http", "https"] }),
      statusCode: int({ enum: [301, 302], default: 302 }),
    }),
    responseHeaderModifier: headerFilter,
    type: str({ enum: ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "RequestRedirect", "URLRewrite", "ExtensionRef"] }),
    urlRewrite: obj({ hostname: str({ maxLength: 253, minLength: 1, pattern: PRECISE_HOSTNAME }), path: pathModifier }),
  },
  {
    required: ["type"],
    cel: [
      rule("!(has(self.requestHeaderModifier) && self.type != 'RequestHeaderModifier')", "filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier"),
      rule("!(!has(self.requestHeaderModifier) && self.type == 'RequestHeaderModifier')", "filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type"),
      rule("!(has(self.responseHeaderModifier) && self.type != 'ResponseHeaderModifier')", "filter.responseHeaderModifier must be nil if the filter.type is not ResponseHeaderModifier"),
      rule("!(!has(self.responseHeaderModifier) && self.type == 'ResponseHeaderModifier')", "filter.responseHeaderModifier must be specified for ResponseHeaderModifier filter.type"),
      rule("!(has(self.requestMirror) && self.type != 'RequestMirror')", "filter.requestMirror must be nil if the filter.type is not RequestMirror"),
      rule("!(!has(self.requestMirror) && self.type == 'RequestMirror')", "filter.requestMirror must be specified for RequestMirror filter.type"),
      rule("!(has(self.requestRedirect) && self.type != 'RequestRedirect')", "filter.requestRedirect must be nil if the filter.type is not RequestRedirect"),
      rule("!(!has(self.requestRedirect) && self.type == 'RequestRedirect')", "filter.requestRedirect must be specified for RequestRedirect filter.type"),
      rule("!(has(self.urlRewrite) && self.type != 'URLRewrite')", "filter.urlRewrite must be nil if the filter.type is not URLRewrite"),
      rule("!(!has(self.urlRewrite) && self.type == 'URLRewrite')", "filter.urlRewrite must be specified for URLRewrite filter.type"),
      rule("!(has(self.extensionRef) && self.type != 'ExtensionRef')", "filter.extensionRef must be nil if the filter.type is not ExtensionRef"),
      rule("!(!has(self.extensionRef) && self.type == 'ExtensionRef')", "filter.extensionRef must be specified for ExtensionRef filter.type"),
    ],
  },
);
const REDIRECT_OR_REWRITE = rule("!(self.exists(f, f.type == 'RequestRedirect') && self.exists(f, f.type == 'URLRewrite'))", "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both");
const NOT_REPEATED = ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite"].map((t) => rule(`self.filter(f, f.type == '${t}').size() <= 1`, `${t} filter cannot be repeated`));
const filters = arr(filter, { maxItems: 16, cel: [REDIRECT_OR_REWRITE, ...NOT_REPEATED] });

// The CRD states the redirect-or-rewrite rule twice on backendRefs[].filters; kept as it is.
const backendFilters = arr(filter, { maxItems: 16, cel: [REDIRECT_OR_REWRITE, REDIRECT_OR_REWRITE, ...NOT_REPEATED] });
const backendRef = obj({ ...backendObjectReference, filters: backendFilters, weight: int({ default: 1, maximum: 1000000, minimum: 0, format: "int32" }) }, { required: ["name"], cel: [MUST_HAVE_PORT] });

const notIn = (s: string, what: string) =>
  rule(`(self.type in ['Exact','PathPrefix']) ? !self.value.${what}('${s}') : true`, `must not ${what === "contains" ? "contain" : "end with"} '${s}' when type one of ['Exact', 'PathPrefix']`);
const pathMatch = obj(
  { type: str({ enum: ["Exact", "PathPrefix", "RegularExpression"], default: "PathPrefix" }), value: str({ maxLength: 1024, default: "/" }) },
  {
    default: { type: "PathPrefix", value: "/" },
    cel: [
      rule("(self.type in ['Exact','PathPrefix']) ? self.value.startsWith('/') : true", "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"),
      ...["//", "/./", "/../", "%2f", "%2F", "#"].map((s) => notIn(s, "contains")),
      ...["/..", "/."].map((s) => notIn(s, "endsWith")),
      rule("self.type in ['Exact','PathPrefix'] || self.type == 'RegularExpression'", "type must be one of ['Exact', 'PathPrefix', 'RegularExpression']"),
      rule(
        "(self.type in ['Exact','PathPrefix']) ? self.value.matches(r\"\"\"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$\"\"\") : true",
        "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']",
      ),
    ],
  },
);
const nameValueMatch = (valueMax: number) =>
  arr(
    obj(
      { name: str({ maxLength: 256, minLength: 1, pattern: HEADER_NAME }), type: str({ enum: ["Exact", "RegularExpression"], default: "Exact" }), value: str({ maxLength: valueMax, minLength: 1 }) },
      { required: ["name", "value"] },
    ),
    { maxItems: 16, listType: "map", listMapKeys: ["name"] },
  );
const match = obj({
  headers: nameValueMatch(4096),
  method: str({ enum: ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"] }),
  path: pathMatch,
  queryParams: nameValueMatch(1024),
});

const ONE_PATH_PREFIX = "((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true";
const routeRule = obj(
  {
    backendRefs: arr(backendRef, { maxItems: 16 }),
    filters,
    matches: arr(match, { maxItems: 64, default: [{ path: { type: "PathPrefix", value: "/" } }] }),
    name: experimental(str({ maxLength: 253, minLength: 1, pattern: SECTION_NAME })),
    retry: experimental(obj({ attempts: int(), backoff: str({ pattern: DURATION }), codes: arr(int({ maximum: 599, minimum: 400 })) })),
    sessionPersistence: experimental(
      obj(
        {
          absoluteTimeout: str({ pattern: DURATION }),
          cookieConfig: obj({ lifetimeType: str({ enum: ["Permanent", "Session"], default: "Session" }) }),
          idleTimeout: str({ pattern: DURATION }),
          sessionName: str({ maxLength: 128 }),
          type: str({ enum: ["Cookie", "Header"], default: "Cookie" }),
        },
        {
          cel: [
            rule(
              "!has(self.cookieConfig) || !has(self.cookieConfig.lifetimeType) || self.cookieConfig.lifetimeType != 'Permanent' || has(self.absoluteTimeout)",
              "AbsoluteTimeout must be specified when cookie lifetimeType is Permanent",
            ),
          ],
        },
      ),
    ),
    timeouts: obj(
      { backendRequest: str({ pattern: DURATION }), request: str({ pattern: DURATION }) },
      {
        cel: [
          rule(
            "!(has(self.request) && has(self.backendRequest) && duration(self.request) != duration('0s') && duration(self.backendRequest) > duration(self.request))",
            "backendRequest timeout cannot be longer than request timeout",
          ),
        ],
      },
    ),
  },
  {
    cel: [
      rule("(has(self.backendRefs) && size(self.backendRefs) > 0) ? (!has(self.filters) || self.filters.all(f, !has(f.requestRedirect))): true", "RequestRedirect filter must not be used together with backendRefs"),
      rule(
        `(has(self.filters) && self.filters.exists_one(f, has(f.requestRedirect) && has(f.requestRedirect.path) && f.requestRedirect.path.type == 'ReplacePrefixMatch' && has(f.requestRedirect.path.replacePrefixMatch))) ? ${ONE_PATH_PREFIX}`,
        "When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
      ),
      rule(
        `(has(self.filters) && self.filters.exists_one(f, has(f.urlRewrite) && has(f.urlRewrite.path) && f.urlRewrite.path.type == 'ReplacePrefixMatch' && has(f.urlRewrite.path.replacePrefixMatch))) ? ${ONE_PATH_PREFIX}`,
        "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
      ),
      rule(
        `(has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, has(f.requestRedirect) && has(f.requestRedirect.path) && f.requestRedirect.path.type == 'ReplacePrefixMatch' && has(f.requestRedirect.path.replacePrefixMatch))) )) ? ${ONE_PATH_PREFIX}`,
        "Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
      ),
      rule(
        `(has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, has(f.urlRewrite) && has(f.urlRewrite.path) && f.urlRewrite.path.type == 'ReplacePrefixMatch' && has(f.urlRewrite.path.replacePrefixMatch))) )) ? ${ONE_PATH_PREFIX}`,
        "Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
      ),
    ],
  },
);

const matchCount = Array.from({ length: 16 }, (_, i) => `(self.size() > ${i} ? self[${i}].matches.size() : 0)`).join(" + ");
const SAME_PARENT = "p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__";
const parentRefs = arr(
  obj({ group: group("gateway.networking.k8s.io"), kind: kind("Gateway"), name: objectName(), namespace: namespace(), port: portNumber(), sectionName: str({ maxLength: 253, minLength: 1, pattern: SECTION_NAME }) }, { required: ["name"] }),
  {
    maxItems: 32,
    cel: [
      rule(
        `self.all(p1, self.all(p2, ${SAME_PARENT} )) ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '')) : true))`,
        "sectionName must be specified when parentRefs includes 2 or more references to the same parent",
        "standard",
      ),
      rule(
        `self.all(p1, self.exists_one(p2, ${SAME_PARENT} )) && (((!has(p1.sectionName) || p1.sectionName == '') && (!has(p2.sectionName) || p2.sectionName == '')) || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName))))`,
        "sectionName must be unique when parentRefs includes 2 or more references to the same parent",
        "standard",
      ),
      rule(
        `self.all(p1, self.all(p2, ${SAME_PARENT})) ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '') && (!has(p1.port) || p1.port == 0) == (!has(p2.port) || p2.port == 0)): true))`,
        "sectionName or port must be specified when parentRefs includes 2 or more references to the same parent",
        "experimental",
      ),
      rule(
        `self.all(p1, self.exists_one(p2, ${SAME_PARENT} )) && (((!has(p1.sectionName) || p1.sectionName == '') && (!has(p2.sectionName) || p2.sectionName == '')) || ( has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName)) && (((!has(p1.port) || p1.port == 0) && (!has(p2.port) || p2.port == 0)) || (has(p1.port) && has(p2.port) && p1.port == p2.port))))`,
        "sectionName or port must be unique when parentRefs includes 2 or more references to the same parent",
        "experimental",
      ),
    ],
  },
);

export const HTTPRoute: ObjSchema = obj(
  {
    spec: obj({
      hostnames: arr(str({ maxLength: 253, minLength: 1, pattern: HOSTNAME }), { maxItems: 16 }),
      parentRefs,
      rules: arr(routeRule, {
        maxItems: 16,
        default: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }],
        cel: [
          rule(`${matchCount} <= 128`, "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128"),
          rule("self.all(l1, !has(l1.name) || self.exists_one(l2, has(l2.name) && l1.name == l2.name))", "Rule name must be unique within the route", "experimental"),
        ],
      }),
    }),
  },
  { required: ["spec"] },
);

const selector = obj({
  matchExpressions: arr(obj({ key: str(), operator: str(), values: arr(str(), { listType: "atomic" }) }, { required: ["key", "operator"] }), { listType: "atomic" }),
  matchLabels: map(str()),
});
const listener = obj(
  {
    allowedRoutes: obj(
      {
        kinds: arr(obj({ group: group("gateway.networking.k8s.io"), kind: kind() }, { required: ["kind"] }), { maxItems: 8 }),
        namespaces: obj({ from: str({ enum: ["All", "Selector", "Same"], default: "Same" }), selector }, { default: { from: "Same" } }),
      },
      { default: { namespaces: { from: "Same" } } },
    ),
    hostname: str({ maxLength: 253, minLength: 1, pattern: HOSTNAME }),
    name: str({ maxLength: 253, minLength: 1, pattern: SECTION_NAME }),
    port: portNumber(),
    protocol: str({ maxLength: 255, minLength: 1, pattern: "^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9]+$" }),
    tls: obj(
      {
        certificateRefs: arr(obj({ group: group(""), kind: kind("Secret"), name: objectName(), namespace: namespace() }, { required: ["name"] }), { maxItems: 64 }),
        frontendValidation: experimental(
          obj({ caCertificateRefs: arr(obj({ group: group(), kind: kind(), name: objectName(), namespace: namespace() }, { required: ["group", "kind", "name"] }), { maxItems: 8, minItems: 1 }) }),
        ),
        mode: str({ enum: ["Terminate", "Passthrough"], default: "Terminate" }),
        options: map(str({ maxLength: 4096, minLength: 0 }), { maxProperties: 16 }),
      },
      { cel: [rule("self.mode == 'Terminate' ? size(self.certificateRefs) > 0 || size(self.options) > 0 : true", "certificateRefs or options must be specified when mode is Terminate")] },
    ),
  },
  { required: ["name", "port", "protocol"] },
);
export const Gateway: ObjSchema = obj(
  {
    spec: obj(
      {
        gatewayClassName: str({ maxLength: 253, minLength: 1 }),
        listeners: arr(listener, {
          maxItems: 64,
          minItems: 1,
          listType: "map",
          listMapKeys: ["name"],
          cel: [
            rule("self.all(l, l.protocol in ['HTTP', 'TCP', 'UDP'] ? !has(l.tls) : true)", "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"),
            rule("self.all(l, (l.protocol == 'HTTPS' && has(l.tls)) ? (l.tls.mode == '' || l.tls.mode == 'Terminate') : true)", "tls mode must be Terminate for protocol HTTPS"),
            rule("self.all(l, l.protocol in ['TCP', 'UDP']  ? (!has(l.hostname) || l.hostname == '') : true)", "hostname must not be specified for protocols ['TCP', 'UDP']"),
            rule("self.all(l1, self.exists_one(l2, l1.name == l2.name))", "Listener name must be unique within the Gateway"),
            rule(
              "self.all(l1, self.exists_one(l2, l1.port == l2.port && l1.protocol == l2.protocol && (has(l1.hostname) && has(l2.hostname) ? l1.hostname == l2.hostname : !has(l1.hostname) && !has(l2.hostname))))",
              "Combination of port, protocol and hostname must be unique for each listener",
            ),
          ],
        }),
      },
      { required: ["gatewayClassName", "listeners"] },
    ),
  },
  { required: ["spec"] },
);

export const ReferenceGrant: ObjSchema = obj({
  spec: obj(
    {
      from: arr(obj({ group: str({ maxLength: 253, pattern: GROUP }), kind: kind(), namespace: namespace() }, { required: ["group", "kind", "namespace"] }), { maxItems: 16, minItems: 1 }),
      to: arr(obj({ group: str({ maxLength: 253, pattern: GROUP }), kind: kind(), name: objectName() }, { required: ["group", "kind"] }), { maxItems: 16, minItems: 1 }),
    },
    { required: ["from", "to"] },
  ),
});

export const gatewayApiSchemas: Record<string, ObjSchema> = {
  "gateway.networking.k8s.io/v1|HTTPRoute": HTTPRoute,
  "gateway.networking.k8s.io/v1beta1|HTTPRoute": HTTPRoute,
  "gateway.networking.k8s.io/v1|Gateway": Gateway,
  "gateway.networking.k8s.io/v1beta1|Gateway": Gateway,
  "gateway.networking.k8s.io/v1beta1|ReferenceGrant": ReferenceGrant,
};
export type { Schema };
