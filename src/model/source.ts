// What the loader hands on: text files of the app directory and the documents parsed from them,
// with their positions. Shared by load/ (which makes them), model/validate.ts, plan/ and generate/
// (which point problems at them), so they live below all of them.
import type { PathSegment } from "../problems.ts";

/** A text file of the app directory: path relative to it, with `/` separators. */
export interface TextFile {
  path: string;
  text: string;
}

export interface Position {
  line: number;
  column: number;
}

/** One parsed YAML/JSON document and where it stands. */
export interface SourceDoc {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  /** 1-based line of the document's first content line. */
  line: number;
  value: unknown;
  /** Line and column of the value at `path` (the closest existing ancestor when it is absent). */
  locate(path: readonly PathSegment[]): Position;
}
