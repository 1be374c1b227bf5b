// The process boundary, as an interface: commands write through it, tests capture it.

export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** stderr is a terminal (colour of problems). */
  isTTY: boolean;
  /** stdout is a terminal (colour of tables and traces); default: isTTY. */
  stdoutIsTTY?: boolean;
  /** The clock, in ms since the epoch. */
  now(): number;
  /** Random bytes (`kubefork headers` mints trace ids); default: the Web Crypto generator. */
  random?(n: number): Uint8Array;
  /** Aborted on SIGTERM: long work (base.command) stops. */
  signal?: AbortSignal;
  /**
   * Set on the main thread of a render (src/cli/main.ts): runs the rest of the render in a worker
   * thread, given what this thread has done, and resolves to its exit code. The worker's stdout
   * comes through this Io's stdout.
   */
  offload?(handoff: Handoff): Promise<number>;
  /** In the worker: what the main thread did before it handed the render over. */
  handoff?: Handoff;
}

/** What the main thread of a render gives the worker that goes on with it. */
export interface Handoff {
  /** base.command's output, when it ran: a command never runs twice. */
  commandOutput?: string;
}

/** Colour only on a terminal and never with NO_COLOR (https://no-color.org). */
export function useColor(io: Io): boolean {
  return io.isTTY && !("NO_COLOR" in io.env && io.env.NO_COLOR !== "") && io.env.TERM !== "dumb";
}

export function paint(io: Io) {
  const on = useColor(io);
  const wrap = (code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { red: wrap("31"), yellow: wrap("33"), green: wrap("32"), dim: wrap("2"), bold: wrap("1"), cyan: wrap("36") };
}

/** Colours for what goes to stdout (tables, traces): only when stdout itself is a terminal, so that `kubefork list | less` gets no escape codes. */
export function paintStdout(io: Io) {
  return paint({ ...io, isTTY: io.stdoutIsTTY ?? io.isTTY });
}
