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
  KF3020: { name: "PatchFieldNotAllowed", summary: "a patch operation changes a field the allowlist does not allow and policy.allowPatchPaths does not list" },
  KF3021: { name: "SecretNotAllowed", summary: "a copy references a Secret its base workload does not, and policy.allowSecretRefs does not name it" },
  KF3022: { name: "ClaimNotInBase", summary: "a copy mounts a PersistentVolumeClaim the base does not hold: its access modes are unknown" },
  KF3023: { name: "ExclusiveClaimShared", summary: "a copy mounts a single-writer PersistentVolumeClaim of the baseline that policy.allowSharedClaims does not list" },
  KF3024: { name: "ClaimShared", summary: "a copy mounts a PersistentVolumeClaim of the baseline: fork pods share its data" },
  // ---------------------------------------------------------------- plan (KF40xx)
  KF4001: { name: "ForkExpired", summary: "a fork whose spec.expires has passed: it is not rendered (a note)" },
  KF4002: { name: "WorkloadNotFound", summary: "a spec.workloads entry names a workload the base does not have" },
  KF4003: { name: "AmbiguousName", summary: "a name a fork gives is in several namespaces (none the render's), or several kustomize-generated ConfigMaps carry it" },
  KF4004: { name: "DuplicateEntry", summary: "two entries of spec.workloads, spec.configMaps or spec.secretRefs name the same object" },
  KF4005: { name: "PodTemplateWithoutLabels", summary: "a forked workload's pod template has no labels, so its copy cannot be told apart" },
  KF4006: { name: "ForkPodsStillSelected", summary: "a base selector of only NotIn/DoesNotExist requirements would still select the fork pods" },
  KF4007: { name: "CopyNameTaken", summary: "the name of a copy (<name>-<identifier>) is taken by a base object or another copy of the fork" },
  KF4008: { name: "GoverningServiceMissing", summary: "a forked StatefulSet's spec.serviceName names no Service selecting its pods: the copy gets a headless Service of its own" },
  KF4010: { name: "RolloutWithoutPodTemplate", summary: "a forked Rollout has neither spec.template nor spec.workloadRef" },
  KF4011: { name: "WorkloadRefKindNotSupported", summary: "a Rollout's spec.workloadRef names a kind Argo Rollouts does not read a template from" },
  KF4012: { name: "WorkloadRefNotFound", summary: "a Rollout's spec.workloadRef names an object the base does not have" },
  KF4013: { name: "WorkloadRefWithoutTemplate", summary: "the object a Rollout's spec.workloadRef names has no pod template" },
  KF4020: { name: "ConfigMapNotFound", summary: "a spec.configMaps entry names a ConfigMap the base does not have" },
  KF4021: { name: "UnreferencedOverride", summary: "a spec.configMaps or spec.secretRefs entry that no forked workload reads, so it would change nothing" },
  KF4030: { name: "HostRoutedByBothApis", summary: "a forked host is routed in the mesh by a VirtualService and by an HTTPRoute, which leaves its routing undefined (IST0109)" },
  KF4040: { name: "CompatForkInvalid", summary: "the Fork translated from an original kubefork Fork breaks the Fork schema" },
  KF4041: { name: "CompatNoDeploymentSelector", summary: "an original kubefork Fork has no spec.deployments.selector, so it forks nothing" },
  KF4042: { name: "CompatSelectsNoDeployment", summary: "an original kubefork Fork's deployments.selector matches no Deployment of the base" },
  KF4043: { name: "CompatNoServiceSelector", summary: "an original kubefork Fork has no services.selector: kubefork forks every Service of the selected Deployments (a note)" },
  KF4044: { name: "CompatSelectsNoService", summary: "an original kubefork Fork's services.selector matches no Service of the base" },
  KF4045: { name: "CompatNoDeploymentBehindService", summary: "no Deployment an original kubefork Fork selects is behind a Service it selects" },
  KF4046: { name: "CompatDeploymentNotForked", summary: "a Deployment an original kubefork Fork selects is not forked: no selected Service routes to it (a note)" },
  KF4047: { name: "CompatServiceNotCopied", summary: "a Service an original kubefork Fork selects gets no copy: no forked Deployment is behind it (a note)" },
  KF4048: { name: "CompatServiceCopiedToo", summary: "a Service an original kubefork Fork does not select is copied: it selects a forked Deployment's pods (a note)" },
  KF4049: { name: "CompatContainerUnmatched", summary: "a container of an original kubefork Fork's template is in none of the forked Deployments, and is ignored" },
  KF4050: { name: "CompatFieldsIgnored", summary: "container fields of an original kubefork Fork's template other than image and env, which it never copied" },
  KF4051: { name: "CompatTemplateLabels", summary: "an original kubefork Fork's template labels go on the fork pods, but are not needed for isolation (a note)" },
  // ---------------------------------------------------------------- generate: routing and ingress (KF50xx)
  KF5001: { name: "GeneratedNameTaken", summary: "a name kubefork needs for an object it generates is taken by a base object (or by another generated one)" },
  KF5002: { name: "EmptyBase", summary: "the base renders to no manifests (Argo CD would prune everything)" },
  KF5003: { name: "UnknownFork", summary: "render --fork names a fork that has no file in the forks directory" },
  KF5004: { name: "TraceIdPrefixUnusable", summary: "a fork's trace-id prefix cannot route (all zeros: the high half of every padded 64-bit trace id)" },
  KF5005: { name: "TraceIdPrefixCollision", summary: "two forks own the same trace-id prefix (carrier traceId)" },
  KF5006: { name: "CarrierRegexTooLong", summary: "a carrier's header regex for a fork is longer than Istio accepts (1,024 characters)" },
  KF5007: { name: "SourceCarrierAmbient", summary: "carrier source has no effect in a forked namespace in Istio's ambient mode" },
  KF5008: { name: "SourceCarrierOnHttpRoutes", summary: "carrier source does not apply to forked hosts the base routes with HTTPRoutes" },
  KF5009: { name: "WildcardClaimsForkedHost", summary: "a wildcard mesh VirtualService claims a forked host; kubefork cannot extend it" },
  KF5010: { name: "DuplicateMeshHost", summary: "several mesh VirtualServices claim one forked host (Istio IST0109); kubefork extends each" },
  KF5011: { name: "VirtualServiceWithoutHttp", summary: "a VirtualService that routes a forked host has no http routes, so no fork routes" },
  KF5012: { name: "SourceLabelsMissForkPods", summary: "a route matches sourceLabels that a forked client's fork pods no longer carry" },
  KF5013: { name: "ReferenceGrantMissing", summary: "a fork copy of an HTTPRoute would reference a fork Service across namespaces that no ReferenceGrant allows" },
  KF5014: { name: "HttpRouteTooLarge", summary: "a fork copy of an HTTPRoute would exceed the API's limits on rules, matches or header matches" },
  KF5015: { name: "NetworkPolicySelectsForkOnly", summary: "a NetworkPolicy selects the fork pods of a workload but not its original pods" },
  KF5016: { name: "NetworkPolicyPeerAdmitsForkOnly", summary: "a NetworkPolicy peer admits the fork pods of a workload but not its original pods" },
  KF5017: { name: "NonHttpForkedPort", summary: "a forked Service's port is not HTTP by Istio's protocol selection: header routing cannot reach the copy there" },
  KF5018: { name: "RolloutRoutesUnnamed", summary: "an Argo Rollout names no routes of a VirtualService that forks add routes to" },
  KF5019: { name: "RolloutShiftsBaseRoutesOnly", summary: "Argo Rollouts shifts the weights of the named routes only, not of the fork routes" },
  KF5020: { name: "ObjectTooLarge", summary: "a generated or extended object would be over the 1 MiB kubefork allows" },
  KF5021: { name: "ClaimVolumeNameDropped", summary: "a StatefulSet claim template binds a PersistentVolume by name; the copy's claims leave it out" },
  KF5022: { name: "ForkHostNotDnsName", summary: "a fork's ingress host <id>.<domain> is not a valid DNS name" },
  KF5023: { name: "IngressNoBaseRoute", summary: "no base route serves an ingress entry's domain, and the entry names no service" },
  KF5024: { name: "ForkHostNotServed", summary: "the ingress (Gateway, Emissary Host) of an entry does not accept the fork hosts" },
  KF5025: { name: "IngressServicePortUnknown", summary: "an ingress entry's Service has no single port to route to, and the entry names none" },
  KF5026: { name: "ForkHostServingUnchecked", summary: "the base holds no Emissary Host for the fork Mappings, so kubefork cannot check that the fork hosts are served" },
  KF5027: { name: "SourceCarrierWithGatewayApiRouting", summary: "carrier source is chosen for forked hosts that spec.routing gives Gateway API, where it cannot be expressed" },
  // ---------------------------------------------------------------- generate: workload copies (KF51xx)
  KF5100: { name: "AmbiguousImage", summary: "a workload's image is given for a pod with more than one container" },
  KF5101: { name: "NoSuchContainer", summary: "a fork names a container the workload does not have" },
  KF5102: { name: "ImageGivenTwice", summary: "a container's image is given both in the workload's image and in its containers entry" },
  KF5103: { name: "PatchFailed", summary: "an RFC 6902 patch operation does not apply to the copy" },
  KF5104: { name: "PatchLeavesNoObject", summary: "the patches remove or replace the whole copy" },
  KF5105: { name: "PatchChangesKind", summary: "the patches change the copy's apiVersion or kind" },
  KF5106: { name: "PatchRenamesCopy", summary: "the patches change the copy's metadata.name or metadata.namespace" },
  KF5107: { name: "PatchChangesSelector", summary: "the patches change the copy's spec.selector" },
  KF5108: { name: "PatchRemovesPodLabel", summary: "the patches remove a pod label the copy's selector needs" },
  KF5109: { name: "PatchExposesPods", summary: "after the patches, a base selector selects the copy's pods" },
  // ---------------------------------------------------------------- usage (KF60xx)
  // KF6001-KF6049: the command line, render settings, and what the commands refuse (src/cli/)
  KF6001: { name: "NowNotRfc3339", summary: "--now, or render's now setting from any source, is not an RFC 3339 date-time" },
  KF6002: { name: "ForkSettingNotIdentifier", summary: "render's fork setting (--fork, a plugin parameter, the env) is not a fork identifier" },
  KF6003: { name: "SettingValueNotAllowed", summary: "render's scope, output or cache setting holds a value it does not take" },
  KF6004: { name: "ForkWithSharedScope", summary: "a render is asked for one fork and for the shared part at once" },
  KF6005: { name: "ParameterDisagrees", summary: "PARAM_<NAME> and the ARGOCD_APP_PARAMETERS entry of one setting differ (the JSON entry is used)" },
  KF6006: { name: "AppParametersMalformed", summary: "ARGOCD_APP_PARAMETERS is not JSON, or not an array or null" },
  KF6007: { name: "AppParameterEntryMalformed", summary: "an entry of ARGOCD_APP_PARAMETERS is not an object with a non-empty name" },
  KF6008: { name: "UnknownParameter", summary: "a plugin parameter kubefork does not read (names are case-sensitive), ignored" },
  KF6009: { name: "ParameterNotString", summary: "a plugin parameter kubefork reads is an array, a map or no value instead of a string" },
  KF6010: { name: "ParameterSetTwice", summary: "one plugin parameter is set twice with different values" },
  KF6011: { name: "NoForkManager", summary: "the app directory gives no ForkManager, and no other problem says why" },
  KF6012: { name: "CommandLineError", summary: "the command line does not parse: an unknown command or option, a missing argument, a value outside an option's choices" },
  KF6013: { name: "NewIdentifierInvalid", summary: "the identifier given to kubefork new is not a fork identifier" },
  KF6014: { name: "NewNeedsWorkload", summary: "kubefork new is given no --workload" },
  KF6015: { name: "EnvArgMalformed", summary: "an --env argument is not NAME=VALUE" },
  KF6016: { name: "ReplicasArgMalformed", summary: "--replicas is not a whole number" },
  KF6017: { name: "ExpiresArgMalformed", summary: "--expires is neither a duration nor an RFC 3339 time" },
  KF6018: { name: "ExpiresPastMaxLifetime", summary: "--expires is later than the policy's maxLifetime allows" },
  KF6019: { name: "DefaultLifetimeCapped", summary: "the policy's maxLifetime is shorter than kubefork new's default lifetime, so the fork expires sooner" },
  KF6020: { name: "ForkFileExists", summary: "kubefork new would replace an existing fork file (without --force)" },
  KF6021: { name: "ForkExistsUnderOtherName", summary: "kubefork new would add forks/<id>.yaml beside the fork's forks/<id>.yml" },
  KF6022: { name: "NewForkRefused", summary: "kubefork new cannot build the fork its arguments ask for (a workload, image or container it cannot place)" },
  KF6023: { name: "ForkFileNotWritten", summary: "kubefork new cannot write the fork file" },
  KF6024: { name: "ImportFileUnreadable", summary: "kubefork import cannot read the file it is given" },
  KF6025: { name: "ImportNotOneDocument", summary: "the file given to kubefork import holds more than one YAML document" },
  KF6026: { name: "ImportNotOriginalFork", summary: "the file given to kubefork import is not an original kubefork Fork" },
  KF6027: { name: "NoSuchFork", summary: "a command names a fork that has no file in the forks directory" },
  KF6028: { name: "HeadersForExpiredFork", summary: "kubefork headers for a fork that has expired: the headers reach the baseline" },
  KF6029: { name: "GcLeavesInvalidFork", summary: "kubefork gc leaves a fork file that is not valid alone" },
  KF6030: { name: "NoSuchSchema", summary: "kubefork schema is asked for a schema it does not have" },
  KF6031: { name: "TraceNeedsHost", summary: "kubefork trace is given no --host" },
  KF6032: { name: "TraceRequestInvalid", summary: "kubefork trace's flags do not make a request it can follow (a carrier, a gateway, a header)" },
  // ---------------------------------------------------------------- internal
  KF9001: { name: "InternalError", summary: "an unexpected failure inside kubefork (a bug)" },
} as const satisfies Record<`KF${number}`, CodeInfo>;

export type ProblemCode = keyof typeof CODES;
