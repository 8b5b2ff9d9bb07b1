import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * Shared helpers of the docker/ tests: paths and parsed contents of
 * `docker/Dockerfile`, `docker/compose.yaml` and the collector config.
 * Docker does not run on the machines these tests run on, so the files are
 * checked as text and against schemas, never built or started.
 */

/** Absolute path of the repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Absolute path of `docker/<name>`. */
export function dockerFile(name: string): string {
  return path.join(repoRoot, 'docker', name);
}

/** A file of the repository as UTF-8 text (`parts` relative to the root). */
export function readRepoFile(...parts: string[]): string {
  return readFileSync(path.join(repoRoot, ...parts), 'utf8');
}

/** The subset of a compose service these tests look at (the schema checks the rest). */
export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context?: string; readonly dockerfile?: string } | string;
  readonly command?: readonly string[] | string;
  readonly environment?: Readonly<Record<string, string | number | boolean | null>> | readonly string[];
  readonly volumes?: readonly (string | { readonly source?: string; readonly target: string })[];
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>> | readonly string[];
  readonly healthcheck?: { readonly test?: readonly string[] | string };
}

/** The subset of a compose file these tests look at. */
export interface ComposeFile {
  readonly name?: string;
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

/** `docker/compose.yaml`, parsed with the `yaml` package (YAML 1.2, merge keys on as Compose has them). */
export function readCompose(): unknown {
  return parse(readFileSync(dockerFile('compose.yaml'), 'utf8'), { merge: true });
}

/** A service's environment as a map, whether written as a map or as `KEY=value` items. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  const out: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const item of env as readonly string[]) {
      const eq = item.indexOf('=');
      out[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? '' : item.slice(eq + 1);
    }
  } else {
    for (const [k, v] of Object.entries(env)) out[k] = v === null ? '' : String(v);
  }
  return out;
}

/**
 * The instructions of a Dockerfile, one per entry: comments and blank lines
 * dropped, backslash continuations joined, the keyword upper-cased.
 */
export function dockerInstructions(text: string): { keyword: string; args: string }[] {
  const out: { keyword: string; args: string }[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^(\S+)\s*(.*)$/.exec(full);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]! });
  }
  return out;
}

/**
 * Splits an image reference into name and tag (`redis:7.4.8-bookworm` →
 * `redis`, `7.4.8-bookworm`); the tag is `null` when none is given (which
 * Docker reads as `latest`). A registry port (`host:5000/x`) is not a tag.
 */
export function imageTag(image: string): { name: string; tag: string | null } {
  const withoutDigest = image.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= slash) return { name: withoutDigest, tag: null };
  return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
}
