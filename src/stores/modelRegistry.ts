import type { ShadowSetting } from '../../models/registry/shadowPointer.js';
import type { LoadedVersion } from '../../models/registry/loadVersionBundle.js';
import type { UserStateRecord } from '../../models/registry/publishVersion.js';

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
  /**
   * The users' state at the end of training (`user-state.jsonl`), in file order
   * (optional: a registry without it serves every user as new). An iterable, so
   * an adapter may parse records as they are taken (the file registry does); a
   * caller should iterate it once.
   * @throws Error naming the file when a line is not a valid record (possibly while iterating).
   */
  readUserStates?(version: string): Promise<Iterable<UserStateRecord>>;
  /**
   * The shadow setting (`recgate models shadow`): a version scored in shadow
   * on a sample of requests, or null (optional: no shadow support).
   * @throws Error when the setting is unreadable.
   */
  shadow?(): Promise<ShadowSetting | null>;
}
