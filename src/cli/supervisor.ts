// The link from the code that runs a command to the process entry (src/cli/main.ts), which stops
// the process on SIGTERM whatever the command is doing. base.command runs in a process group of its
// own (src/cli/app-dir.ts), which a signal to kubefork does not reach: each group is reported here
// as it starts and ends, so that the entry can kill the live ones itself, even while the thread
// that started them is busy. No imports: the entry loads this at every start.
//
// The groups are kept in memory both threads share (a GroupTable over a SharedArrayBuffer): the
// worker records a group the moment it has started it, and the main thread reads the table when
// the signal comes, with no message that could still be on its way.

export interface Supervisor {
  groupStarted(pid: number): void;
  groupEnded(pid: number): void;
}

let current: Supervisor | undefined;

/** Set by the process entry, in the thread that runs the command. */
export function superviseWith(s: Supervisor | undefined): void {
  current = s;
}

export function groupStarted(pid: number): void {
  current?.groupStarted(pid);
}

export function groupEnded(pid: number): void {
  current?.groupEnded(pid);
}

/** Process groups alive, one pid (the group's id) per slot, 0 for a free slot. */
export class GroupTable implements Supervisor {
  readonly slots: Int32Array;
  constructor(slots: Int32Array = new Int32Array(new SharedArrayBuffer(GROUP_SLOTS * 4))) {
    this.slots = slots;
  }
  groupStarted(pid: number): void {
    for (let i = 0; i < this.slots.length; i++) if (Atomics.compareExchange(this.slots, i, 0, pid) === 0) return;
  }
  groupEnded(pid: number): void {
    for (let i = 0; i < this.slots.length; i++) Atomics.compareExchange(this.slots, i, pid, 0);
  }
  /** Kills every group in the table. */
  killAll(): void {
    for (let i = 0; i < this.slots.length; i++) {
      const pid = Atomics.load(this.slots, i);
      if (pid > 0) killGroup(pid);
    }
  }
}

/** A render runs one base.command at a time: room to spare. */
const GROUP_SLOTS = 16;

/** Kills a process group and all in it (SIGKILL); false when it is gone already. */
export function killGroup(pid: number): boolean {
  try {
    process.kill(-pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}
