import type { LoadedVersion } from '../../models/registry/loadVersionBundle.js';

/**
 * Where published model versions live (port). Adapter: `FileModelRegistry`
 * (a directory in the layout of docs/registry.md; a shared volume in production).
 * The gateway reads the registry format only through this port.
 */
export interface ModelRegistry {
  readonly name: string;
  /** The version `CURRENT` names, or null when nothing is published. */
  currentVersion(): Promise<string | null>;
  /** Every published version, oldest first. */
  listVersions(): Promise<string[]>;
  /**
   * Reads a version's manifest, embeddings, neighbours, popularity and catalog.
   * @throws Error naming the file when the version is missing or inconsistent.
   */
  load(version: string): Promise<LoadedVersion>;
  /** Absolute path of a version's ONNX ranker. */
  rankerPath(version: string): string;
}
