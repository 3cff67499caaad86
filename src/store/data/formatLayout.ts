// What the store knows of one data format without reading pixels: the interface each format's
// layout implements (idxLayout.ts, cifar10Layout.ts, imageFolderLayout.ts) and registry.ts
// collects, one per row of the data format table.

/** One training sample as `salun data --files` lists it: the index a forget-index file uses. */
export interface TrainEntry {
  index: number;
  label: number;
  className?: string;
  file: string;
}

/** What `salun data` says of a data set: where it is, its classes and sizes, what was skipped. */
export interface DataSummary {
  dir?: string;
  classNames?: string[];
  train?: number;
  test?: number;
  skipped?: string[];
  files?: TrainEntry[];
}

export interface DataLayout<S> {
  /**
   * The class names, cheaply (folder names, a names file; no pixels); undefined when the format
   * does not name its classes. Throws a UserError when the data is not of the format.
   */
  classNames: (spec: S, workspaceDir: string) => string[] | undefined;
  /** What identifies the data in the model cache's key (JSON): its files' names, sizes and times. */
  fingerprint: (spec: S, workspaceDir: string) => unknown;
  /** `salun data`'s summary; with `withFiles`, which file each training index is. */
  summary: (spec: S, workspaceDir: string, withFiles: boolean) => DataSummary;
}

/** A format that reads a folder: how to tell one from its file names. */
export interface FolderLayout<S> extends DataLayout<S> {
  /** Throws a UserError that names what the folder lacks (names only, no pixels). */
  check: (dir: string) => void;
  /** Whether the folder looks like this format (for `--data <dir>`); check() then says what is missing. */
  detect: (dir: string) => boolean;
}

/** A format that reads one file: how to tell one from its name and contents' directory. */
export interface FileLayout<S> extends DataLayout<S> {
  /** Throws a UserError that names what the file lacks. */
  check: (file: string) => void;
  /** Whether the file looks like this format (for `--data <file>`). */
  detect: (file: string) => boolean;
}

export type LayoutOf<S> = S extends { dir: string } ? FolderLayout<S> : S extends { file: string } ? FileLayout<S> : DataLayout<S>;
