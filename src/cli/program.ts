// The command-line program. `run` parses argv, runs one command and returns the exit code; it never
// throws and never exits the process: an unexpected exception becomes an internal error (exit 3)
// with its stack on stderr, and stdout stays empty.
//
// A command's module (and the pipeline, zod schemas and parsers behind it) is imported when that
// command runs, not at start-up: `kubefork --version` or `--help` initialises commander alone, and
// `render` never initialises what only `trace` or `new` need. The bundler keeps this as one file
// with lazily initialised modules.
import { Command, CommanderError, Option } from "commander";
import { EXIT, formatProblem, type ProblemCode } from "../problems.ts";
import type { Io } from "./io.ts";
import { registerReviewCommands } from "./review-commands.ts";

import { VERSION } from "./version.ts";
export { VERSION };

export async function run(argv: readonly string[], io: Io): Promise<number> {
  // Commands write to stdout only through `io`, and only once they have succeeded.
  let code: number = EXIT.ok;
  try {
    const program = buildProgram(io, (c) => {
      code = c;
    });
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    const err = e as Error;
    io.stderr(
      `${formatProblem({ kind: "internal", severity: "error", code: "KF9001", message: `unexpected failure: ${err?.message ?? String(e)}`, hint: "this is a bug in kubefork; please report it with the stack below", stack: err?.stack })}\n`,
    );
    return EXIT.internal;
  }
}

/** The code of every error commander reports: an unknown option or command, a missing argument, a bad choice. */
const COMMAND_LINE_ERROR: ProblemCode = "KF6012";

function buildProgram(io: Io, setCode: (c: number) => void): Command {
  const program = new Command("kubefork")
    .description("Virtual clusters for microservices: render forks of workloads and the mesh routing that reaches them")
    .version(VERSION, "-v, --version")
    .exitOverride()
    .showHelpAfterError("(kubefork --help lists the commands)")
    // commander's own usage errors (exit 64) end their first line with their code, as problems do.
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s), outputError: (s, write) => write(s.replace(/^[^\n]*/, (line) => `${line} [${COMMAND_LINE_ERROR}]`)) });

  program
    .command("render")
    .description("print the base manifests plus every live fork's workloads and routing, as Argo CD applies them")
    .argument("[dir]", "the app directory (holds kubefork.yaml)", undefined)
    .option("--fork <id>", "print only what belongs to this fork (for a per-fork Application)")
    .option("--shared", "print only the shared part: the base with the merged routing")
    .addOption(new Option("--scope <scope>", "all | shared").choices(["all", "shared"]).hideHelp())
    .option("--now <time>", "RFC 3339 time to judge expiry by (default: the clock)")
    .addOption(new Option("-o, --output <format>", "yaml | json").choices(["yaml", "json"]))
    .option("-n, --namespace <ns>", "namespace of base objects that name none (default: $ARGOCD_APP_NAMESPACE, kubefork.yaml metadata.namespace, or default)")
    .option("--no-cache", "render from scratch, without the render cache in $TMPDIR (also: KUBEFORK_CACHE=off)")
    .action(async (dir: string | undefined, opts) => setCode(await (await import("./render.ts")).renderCommand(io, dir, opts)));

  program
    .command("validate")
    .description("check the app directory and report every problem at once; exit 1 if any")
    .argument("[dir]", "the app directory", undefined)
    .addOption(new Option("--format <format>", "text | github (GitHub Actions annotations) | json (the problems as values: codes, fields, object references)").choices(["text", "github", "json"]).default("text"))
    .option("--now <time>", "RFC 3339 time to judge expiry by")
    .option("-n, --namespace <ns>", "namespace of base objects that name none")
    .action(async (dir: string | undefined, opts) => setCode(await (await import("./validate.ts")).validateCommand(io, dir, opts)));

  program
    .command("gc")
    .description("delete the files of expired forks (for a scheduled job that commits the removal)")
    .argument("[dir]", "the app directory", undefined)
    .option("--now <time>", "RFC 3339 time to judge expiry by (default: the clock)")
    .option("--dry-run", "print what would be removed, remove nothing")
    .action(async (dir: string | undefined, opts) => setCode(await (await import("./gc.ts")).gcCommand(io, dir, opts)));

  program
    .command("import")
    .description("print the kubefork.dev Fork equivalent to an original kubefork Fork (fork.k8s.wantedly.com/v1beta1)")
    .argument("<file>", "the original Fork manifest")
    .option("--dir <dir>", "the app directory whose base resolves the selectors (default: the one holding FILE, else the working directory)")
    .option("-n, --namespace <ns>", "namespace of base objects that name none")
    .action(async (file: string, opts) => setCode(await (await import("./import.ts")).importCommand(io, file, opts)));

  registerReviewCommands(program, io, setCode);

  return program;
}
