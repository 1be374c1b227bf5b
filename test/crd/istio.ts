// Istio networking and security CRDs, transcribed from istio/istio
// manifests/charts/base/files/crd-all.gen.yaml at commit 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c
// (1.31 development; the schemas are generated from istio/api). networking.istio.io v1, v1beta1 and
// v1alpha3 (security.istio.io v1 and v1beta1) serve one identical schema. Only the spec fields
// kubefork's output uses are here; a field that is not is reported as unknown (Istio's CRDs do not
// preserve unknown fields under spec). Every CEL rule of a transcribed node is verbatim. Istio
// writes its protobuf oneofs as `oneOf: [{not: {anyOf: [required…]}}, {required: [a]}, …]`: at
// most one of the keys, written `atMostOne` here. Checked against the CRD node by node with a
// scratch script (kept out of the repository).
import { arr, bool, int, map, num, obj, rule, str, type ObjSchema, type Schema } from "./schema.ts";

const DURATION = rule("duration(self) >= duration('1ms')", "must be a valid duration greater than 1ms");
const duration = () => str({ cel: [DURATION] });
const uint32 = () => int({ maximum: 4294967295, minimum: 0 });
const int32 = () => int({ format: "int32" });
const strings = () => arr(str());
const stringMatch = () => obj({ exact: str(), prefix: str(), regex: str() }, { atMostOne: ["exact", "prefix", "regex"] });
const headerOps = () => obj({ add: map(str()), remove: arr(str()), set: map(str()) });
const headers = () => obj({ request: headerOps(), response: headerOps() });
const percent = () => obj({ value: num({ format: "double" }) });
const destination = () => obj({ host: str(), port: obj({ number: uint32() }), subset: str() }, { required: ["host"] });
// WorkloadSelector (DestinationRule, AuthorizationPolicy, PeerAuthentication).
const workloadSelector = () =>
  obj({
    matchLabels: map(str({ maxLength: 63, cel: [rule('!self.contains("*")', "wildcard not allowed in label value match")] }), {
      maxProperties: 4096,
      cel: [rule('self.all(key, !key.contains("*"))', "wildcard not allowed in label key match"), rule("self.all(key, key.size() != 0)", "key must not be empty")],
    }),
  });

const httpRoute = obj({
  corsPolicy: obj({
    allowCredentials: bool(),
    allowHeaders: strings(),
    allowMethods: strings(),
    allowOrigin: strings(),
    allowOrigins: arr(stringMatch()),
    exposeHeaders: strings(),
    maxAge: duration(),
    unmatchedPreflights: str({ enum: ["UNSPECIFIED", "FORWARD", "IGNORE"] }),
  }),
  delegate: obj({ name: str(), namespace: str() }),
  directResponse: obj({ body: obj({ bytes: str({ format: "byte" }), string: str() }, { atMostOne: ["string", "bytes"] }), status: uint32() }, { required: ["status"] }),
  fault: obj({
    abort: obj({ grpcStatus: str(), http2Error: str(), httpStatus: int32(), percentage: percent() }, { atMostOne: ["httpStatus", "grpcStatus", "http2Error"] }),
    delay: obj({ exponentialDelay: duration(), fixedDelay: duration(), percent: int32(), percentage: percent() }, { atMostOne: ["fixedDelay", "exponentialDelay"] }),
  }),
  headers: headers(),
  match: arr(
    obj({
      authority: stringMatch(),
      gateways: strings(),
      headers: map(stringMatch()),
      ignoreUriCase: bool(),
      method: stringMatch(),
      name: str(),
      port: uint32(),
      queryParams: map(stringMatch()),
      scheme: stringMatch(),
      sourceLabels: map(str()),
      sourceNamespace: str(),
      statPrefix: str(),
      uri: stringMatch(),
      withoutHeaders: map(stringMatch()),
    }),
  ),
  mirror: destination(),
  mirror_percent: uint32(),
  mirrorPercent: uint32(),
  mirrorPercentage: percent(),
  mirrors: arr(obj({ destination: destination(), percentage: percent() }, { required: ["destination"] })),
  name: str(),
  redirect: obj(
    { authority: str(), derivePort: str({ enum: ["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"] }), port: uint32(), prefixRewrite: str(), redirectCode: uint32(), scheme: str(), uri: str() },
    { atMostOne: ["port", "derivePort"] },
  ),
  retries: obj({ attempts: int32(), backoff: duration(), perTryTimeout: duration(), retryIgnorePreviousHosts: bool(), retryOn: str(), retryRemoteLocalities: bool() }),
  rewrite: obj({ authority: str(), uri: str(), uriRegexRewrite: obj({ match: str(), rewrite: str() }) }),
  route: arr(obj({ destination: destination(), headers: headers(), weight: int32() }, { required: ["destination"] })),
  timeout: duration(),
});

/** spec.hosts, gateways, exportTo and http[] (tcp and tls routes are not transcribed). */
export const VirtualService: ObjSchema = obj({ spec: obj({ exportTo: strings(), gateways: strings(), hosts: strings(), http: arr(httpRoute) }) });

const connectionPool = () =>
  obj({
    http: obj({
      h2UpgradePolicy: str({ enum: ["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"] }),
      http1MaxPendingRequests: int32(),
      http2KeepAlive: obj({ interval: duration(), timeout: duration() }),
      http2MaxRequests: int32(),
      idleTimeout: duration(),
      maxConcurrentStreams: int32(),
      maxRequestsPerConnection: int32(),
      maxRetries: int32(),
      useClientProtocol: bool(),
    }),
    tcp: obj({
      connectTimeout: duration(),
      idleTimeout: str(),
      maxConnectionDuration: duration(),
      maxConnections: int32(),
      tcpKeepalive: obj({ interval: duration(), probes: uint32(), time: duration() }),
    }),
  });
const clientTls = () =>
  obj({
    caCertificates: str(),
    caCrl: str(),
    clientCertificate: str(),
    credentialName: str(),
    insecureSkipVerify: bool(),
    mode: str({ enum: ["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"] }),
    privateKey: str(),
    sni: str(),
    subjectAltNames: strings(),
  });

/** spec.host, exportTo, subsets (name, labels, trafficPolicy.connectionPool|tls), trafficPolicy (connectionPool, loadBalancer.simple, tls), workloadSelector. */
export const DestinationRule: ObjSchema = obj({
  spec: obj(
    {
      exportTo: strings(),
      host: str(),
      subsets: arr(obj({ labels: map(str()), name: str(), trafficPolicy: obj({ connectionPool: connectionPool(), tls: clientTls() }) }, { required: ["name"] })),
      trafficPolicy: obj({
        connectionPool: connectionPool(),
        loadBalancer: obj(
          { simple: str({ enum: ["UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST"] }) },
          { atMostOne: ["simple", "consistentHash", "backendUtilization"] },
        ),
        tls: clientTls(),
      }),
      workloadSelector: workloadSelector(),
    },
    { required: ["host"] },
  ),
});

/** spec.selector and servers[] (hosts, name, port, tls.mode|credentialName|httpsRedirect). */
export const Gateway: ObjSchema = obj({
  spec: obj({
    selector: map(str()),
    servers: arr(
      obj(
        {
          hosts: strings(),
          name: str(),
          port: obj({ name: str(), number: uint32(), protocol: str(), targetPort: uint32() }, { required: ["number", "protocol", "name"] }),
          tls: obj(
            {
              credentialName: str(),
              httpsRedirect: bool(),
              mode: str({ enum: ["PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"] }),
            },
            {
              cel: [
                rule("(has(self.tlsCertificates) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1", "only one of credentialNames or tlsCertificates can be set"),
                rule("(has(self.credentialName) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1", "only one of credentialName or credentialNames can be set"),
                rule("(has(self.credentialNames) ? 1 : 0) + (has(self.tlsCertificates) ? 1 : 0) <= 1", "only one of credentialName or tlsCertificates can be set"),
              ],
            },
          ),
        },
        { required: ["port", "hosts"] },
      ),
    ),
  }),
});

const PORT_RANGE = rule("0 < self && self <= 65535", "port must be between 1-65535");
/** spec.hosts, addresses, ports, location, resolution, exportTo. */
export const ServiceEntry: ObjSchema = obj(
  {
    spec: obj(
      {
        addresses: arr(str({ maxLength: 64 }), { maxItems: 256 }),
        exportTo: strings(),
        hosts: arr(str({ cel: [rule('self != "*"', "hostname cannot be wildcard")] }), { maxItems: 256, minItems: 1 }),
        location: str({ enum: ["MESH_EXTERNAL", "MESH_INTERNAL"] }),
        ports: arr(
          obj(
            { name: str({ maxLength: 256 }), number: int({ maximum: 4294967295, minimum: 0, cel: [PORT_RANGE] }), protocol: str({ maxLength: 256 }), targetPort: int({ maximum: 4294967295, minimum: 0, cel: [PORT_RANGE] }) },
            { required: ["number", "name"] },
          ),
          { maxItems: 256, listType: "map", listMapKeys: ["name"], cel: [rule("self.all(l1, self.exists_one(l2, l1.number == l2.number))", "port number cannot be duplicated")] },
        ),
        resolution: str({ enum: ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"] }),
      },
      {
        required: ["hosts"],
        cel: [
          rule("(has(self.workloadSelector) ? 1 : 0) + (has(self.endpoints) ? 1 : 0) <= 1", "only one of WorkloadSelector or Endpoints can be set"),
          rule(
            '!((has(self.addresses) ? self.addresses : []).exists(k, k.contains("/")) && !((has(self.resolution) ? self.resolution : "NONE") in ["STATIC", "NONE"]))',
            "CIDR addresses are allowed only for NONE/STATIC resolution types",
          ),
          rule('((has(self.resolution) ? self.resolution : "NONE") == "NONE") ? !has(self.endpoints) : true', "NONE mode cannot set endpoints"),
          rule('((has(self.resolution) ? self.resolution : "") == "DNS_ROUND_ROBIN") ? ((has(self.endpoints) ? self.endpoints : []).size() <= 1) : true', "DNS_ROUND_ROBIN mode cannot have multiple endpoints"),
        ],
      },
    ),
  },
  { required: ["spec"] },
);

const policyTargetRef = () =>
  obj(
    {
      group: str({ maxLength: 253, pattern: "^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" }),
      kind: str({ maxLength: 63, minLength: 1, pattern: "^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$" }),
      name: str({ maxLength: 253, minLength: 1 }),
      namespace: str({ cel: [rule("self.size() == 0", "cross namespace referencing is not currently supported")] }),
    },
    { required: ["kind", "name"] },
  );
const serviceAccounts = () => arr(str({ maxLength: 320 }), { maxItems: 16 });
/** spec.action, rules, selector, targetRef(s) (provider is not transcribed). */
export const AuthorizationPolicy: ObjSchema = obj({
  spec: obj(
    {
      action: str({ enum: ["ALLOW", "DENY", "AUDIT", "CUSTOM"] }),
      rules: arr(
        obj({
          from: arr(
            obj({
              source: obj(
                {
                  ipBlocks: strings(),
                  namespaces: strings(),
                  notIpBlocks: strings(),
                  notNamespaces: strings(),
                  notPrincipals: strings(),
                  notRemoteIpBlocks: strings(),
                  notRequestPrincipals: strings(),
                  notServiceAccounts: serviceAccounts(),
                  notTrustDomains: strings(),
                  principals: strings(),
                  remoteIpBlocks: strings(),
                  requestPrincipals: strings(),
                  serviceAccounts: serviceAccounts(),
                  trustDomains: strings(),
                },
                {
                  cel: [
                    rule(
                      "(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) &&\n!has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true",
                      "Cannot set serviceAccounts with namespaces or principals",
                    ),
                  ],
                },
              ),
            }),
            { maxItems: 512 },
          ),
          to: arr(obj({ operation: obj({ hosts: strings(), methods: strings(), notHosts: strings(), notMethods: strings(), notPaths: strings(), notPorts: strings(), paths: strings(), ports: strings() }) })),
          when: arr(obj({ key: str(), notValues: strings(), values: strings() }, { required: ["key"] })),
        }),
        { maxItems: 512 },
      ),
      selector: workloadSelector(),
      targetRef: policyTargetRef(),
      targetRefs: arr(policyTargetRef(), { maxItems: 16 }),
    },
    { atMostOne: ["provider"], cel: [rule("(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1", "only one of targetRefs or selector can be set")] },
  ),
});

const mtls = () => obj({ mode: str({ enum: ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"] }) });
/** The whole spec. */
export const PeerAuthentication: ObjSchema = obj({
  spec: obj(
    {
      mtls: mtls(),
      portLevelMtls: map(mtls(), { cel: [rule("self.all(key, 0 < int(key) && int(key) <= 65535)", "port must be between 1-65535")] }),
      selector: workloadSelector(),
    },
    {
      cel: [
        rule(
          "has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true",
          "portLevelMtls requires selector",
        ),
      ],
    },
  ),
});

const networking: Record<string, ObjSchema> = { VirtualService, DestinationRule, Gateway, ServiceEntry };
const security: Record<string, ObjSchema> = { AuthorizationPolicy, PeerAuthentication };
export const istioSchemas: Record<string, ObjSchema> = Object.fromEntries([
  ...["v1", "v1beta1", "v1alpha3"].flatMap((v) => Object.entries(networking).map(([k, s]) => [`networking.istio.io/${v}|${k}`, s] as const)),
  ...["v1", "v1beta1"].flatMap((v) => Object.entries(security).map(([k, s]) => [`security.istio.io/${v}|${k}`, s] as const)),
]);
export type { Schema };
