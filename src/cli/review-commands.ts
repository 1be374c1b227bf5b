// The review commands (issue 5): new, list, explain, trace, schema. Registered on the program by
// one call, so that program.ts stays small. Each command's module is imported when it runs (see
// program.ts).
import { Argument, Option, type Command } from "commander";
import { WORKLOAD_KINDS } from "../model/kinds.ts";
import type { Io } from "./io.ts";

type SetCode = (c: number) => void;

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerReviewCommands(program: Command, io: Io, setCode: SetCode): void {
  for (const register of REVIEW_COMMANDS) register(program, io, setCode);
}

/** The review commands, in the order `kubefork --help` lists them. */
const REVIEW_COMMANDS: readonly ((program: Command, io: Io, setCode: SetCode) => void)[] = [registerNew, registerList, registerExplain, registerComment, registerTrace, registerHeaders, registerSchema];

function registerNew(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("new")
    .description("write forks/<id>.yaml for workloads of the base (checked before it is written)")
    .argument("<id>", "the fork identifier (a DNS-1123 label; the host <id>.<domain>)")
    .argument("[dir]", "the app directory (holds kubefork.yaml)", undefined)
    .requiredOption("-w, --workload <[namespace/]name>", "a workload of the base to fork (repeat for several)", collect)
    .addOption(new Option("--kind <kind>", "kind of the workloads").choices([...WORKLOAD_KINDS]).default("Deployment"))
    .option("-n, --namespace <ns>", "namespace of the workloads (needed when a name is in several)")
    .option("--image <[workload=]image>", "new image (workload= when several workloads; repeat per workload)", collect)
    .option("--container <[workload=]name>", "the container --image sets, in a multi-container pod", collect)
    .option("-e, --env <NAME=VALUE>", "environment variable for every forked container (repeat)", collect)
    .option("--replicas <n>", "replicas of each copy (default 1)")
    .option("--expires <72h|RFC3339>", "when the fork ends: a duration from now or a time (default 72h, at most policy.maxLifetime)")
    .option("--owner <owner>", "recorded as an annotation (default: $KUBEFORK_OWNER, $GIT_AUTHOR_EMAIL, $USER)")
    .option("--schema <url|path>", "$schema of the editor modeline (default: $KUBEFORK_SCHEMA or the release's schema URL)")
    .option("-f, --force", "replace an existing forks/<id>.yaml")
    .option("--dry-run", "print the file instead of writing it")
    .option("--now <time>", "RFC 3339 time to count --expires from (default: the clock)")
    .action(async (id: string, dir: string | undefined, opts) => setCode(await (await import("./new.ts")).newCommand(io, id, dir, opts)));
}

function registerList(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("list")
    .description("the forks: workloads, images, hosts, expiry and state (live, expired, invalid)")
    .argument("[dir]", "the app directory", undefined)
    .addOption(new Option("-o, --output <format>", "table | json").choices(["table", "json"]).default("table"))
    .option("--now <time>", "RFC 3339 time to judge expiry by")
    .option("-n, --namespace <ns>", "namespace of base objects that name none")
    .action(async (dir: string | undefined, opts) => setCode(await (await import("./list.ts")).listCommand(io, dir, opts)));
}

function registerExplain(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("explain")
    .description("what a fork adds and which routing it changes (markdown for a pull-request comment)")
    .argument("<id>", "the fork identifier")
    .argument("[dir]", "the app directory", undefined)
    .addOption(new Option("--format <format>", "text | markdown | json").choices(["text", "markdown", "json"]).default("text"))
    .option("--now <time>", "RFC 3339 time to judge expiry by")
    .option("-n, --namespace <ns>", "namespace of base objects that name none")
    .action(async (id: string, dir: string | undefined, opts) => setCode(await (await import("./explain.ts")).explainCommand(io, id, dir, opts)));
}

function registerComment(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("comment")
    .description("the pull-request comment: explain --format markdown of each changed fork, a line for each removed one")
    .argument("[dir]", "the app directory", undefined)
    .option("--fork <ids...>", "forks the pull request adds or changes (space or comma separated)")
    .option("--removed <ids...>", "forks the pull request removes")
    .option("--now <time>", "RFC 3339 time to judge expiry by")
    .option("-n, --namespace <ns>", "namespace of base objects that name none")
    .action(async (dir: string | undefined, opts) => setCode(await (await import("./explain.ts")).commentCommand(io, dir, opts)));
}

function registerTrace(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("trace")
    .description("follow one request through the rendered routing, hop by hop")
    .argument("[dir]", "the app directory", undefined)
    .requiredOption("--host <host>", "the host requested: a Service (reviews, reviews.bookshop) or an ingress host; may end in /path")
    .option("--header <id>", "send the fork header (spec.header of kubefork.yaml) with this identifier")
    .option("--carrier <carrier>", "with --header: name the fork by this carrier instead of the header (header, baggage, tracestate, traceId, source; repeat or comma-separate)", collect)
    .option("--forward <headers>", "the headers the apps forward on their calls, for --then hops (comma-separated; none: nothing; default: all)", collect)
    .option("-H, --request-header <name:value>", "another request header (repeat; e.g. those kubefork headers prints)", collect)
    .option("--path <path>", "request path (default /)")
    .option("-X, --method <method>", "request method (default GET)")
    .option("--from <namespace>", "the request comes from a workload in this namespace (mesh)")
    .option("--gateway <namespace/name>", "the request enters through this Gateway (default for ingress hosts)")
    .option("--then <host>", "a further request made by the workload reached (repeat for more hops)", collect)
    .option("--now <time>", "RFC 3339 time to judge expiry by")
    .option("-n, --namespace <ns>", "namespace of base objects that name none")
    .addOption(new Option("-o, --output <format>", "text | json").choices(["text", "json"]).default("text"))
    .action(async (dir: string | undefined, opts) => setCode(await (await import("./trace.ts")).traceCommand(io, dir, opts)));
}

function registerHeaders(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("headers")
    .description("print the headers of one request into a fork, every carrier included (a fresh traceparent under the fork's trace-id prefix)")
    .argument("<id>", "the fork identifier")
    .argument("[dir]", "the app directory", undefined)
    .addOption(new Option("-o, --output <format>", "json (one object) | curl (-H arguments) | env (NAME=value lines)").choices(["json", "curl", "env"]).default("json"))
    .option("--now <time>", "RFC 3339 time to judge expiry by")
    .action(async (id: string, dir: string | undefined, opts) => setCode(await (await import("./headers.ts")).headersCommand(io, id, dir, opts)));
}

function registerSchema(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("schema")
    .description("print the JSON Schema of a fork file (fork) or of kubefork.yaml (manager)")
    .addArgument(new Argument("[name]", "fork (default) | manager").choices(["fork", "manager"]))
    .action(async (name: string | undefined) => setCode((await import("./schema.ts")).schemaCommand(io, name)));
}
