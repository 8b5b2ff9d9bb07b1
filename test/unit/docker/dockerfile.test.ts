import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { validate } from 'dockerfile-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ComposeFile } from './dockerFiles.js';
import {
  dockerFile,
  dockerInstructions,
  imageTag,
  readCompose,
  readRepoFile,
  repoRoot,
} from './dockerFiles.js';

/** `FROM` lines of a Dockerfile as image references, with `ARG` defaults substituted. */
function fromImages(
  instructions: readonly { keyword: string; args: string }[],
): { image: string; stage: string | null }[] {
  const args = new Map<string, string>();
  const out: { image: string; stage: string | null }[] = [];
  for (const { keyword, args: text } of instructions) {
    if (keyword === 'ARG') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\S+)$/.exec(text);
      if (m) args.set(m[1]!, m[2]!);
    } else if (keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(text);
      expect(m, `FROM ${text}`).not.toBeNull();
      const image = m![1]!.replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (_, name: string) => args.get(name) ?? '',
      );
      out.push({ image, stage: m![2] ?? null });
    }
  }
  return out;
}

/**
 * The module graph of `src/cli.ts` (what the container runs): the bare
 * package names it imports and the files it loads. Value imports only, since
 * `import type` is erased by tsx and esbuild. Relative `.js` specifiers are followed to
 * their `.ts` sources.
 */
function runtimeGraph(entry: string): { packages: Set<string>; files: Set<string> } {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [entry];
  const specifier =
    /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'|import\(\s*'([^']+)'\s*\)/g;
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(specifier)) {
      if (m[1]) continue; // import type / export type
      const spec = (m[2] ?? m[3])!;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
        if (existsSync(target)) queue.push(target);
        else if (existsSync(path.resolve(path.dirname(file), spec)))
          queue.push(path.resolve(path.dirname(file), spec));
        continue;
      }
      if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return { packages, files: seen };
}

describe('docker/Dockerfile', () => {
  let text: string;
  let instructions: { keyword: string; args: string }[];
  beforeAll(() => {
    text = readFileSync(dockerFile('Dockerfile'), 'utf8');
    instructions = dockerInstructions(text);
  });

  it('is multi-stage: at least two FROM stages, each named', () => {
    const stages = fromImages(instructions);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.stage, `FROM ${s.image}`).not.toBeNull();
  });

  it('bases every stage on a pinned Node 20 bookworm-slim image, never latest', () => {
    for (const { image } of fromImages(instructions)) {
      const { name, tag } = imageTag(image);
      expect(name).toBe('node');
      expect(tag).toMatch(/^20(\.\d+){0,2}-bookworm-slim$/);
    }
    expect(text).not.toMatch(/:latest\b/);
  });

  it('runs as a user that is not root', () => {
    const users = instructions.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThanOrEqual(1);
    const last = users.at(-1)!.args.trim();
    const user = last.split(':')[0]!;
    expect(['root', '0', '']).not.toContain(user);
    // USER comes after the last FROM, so it applies to the final image.
    const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
    expect(instructions.lastIndexOf(users.at(-1)!)).toBeGreaterThan(lastFrom);
  });

  it("has no syntax problem a Dockerfile linter finds (dockerfile-utils, the Docker language server's validator)", () => {
    const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
    // The validator does catch mistakes: a misspelt flag, an unknown instruction, a COPY without a target.
    expect(
      validate('FROM node:20 AS a\nHEALTHCHECK --intervall=3s CMD true\nUSR node\nCOPY src\n'),
    ).toHaveLength(3);
  });

  it('has a HEALTHCHECK that probes GET /healthz with Node (no curl in slim images)', () => {
    const health = instructions.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]!.args).toMatch(/CMD \["node", "-e", .*\/healthz/);
    expect(health[0]!.args).not.toMatch(/curl|wget/);
  });

  it('its health command exits 0 when /healthz answers 200, and 1 for a 503 or when nothing listens', async () => {
    const args = instructions.find((i) => i.keyword === 'HEALTHCHECK')!.args;
    const command = JSON.parse(args.slice(args.indexOf('CMD ') + 4)) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    let status = 200;
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const probe = (p: number): Promise<number> =>
      new Promise((resolve) => {
        execFile(process.execPath, command.slice(1), { env: { ...process.env, PORT: String(p) } }, (err) =>
          resolve(err === null ? 0 : typeof err.code === 'number' ? err.code : -1),
        );
      });
    try {
      expect(await probe(port)).toBe(0);
      status = 503;
      expect(await probe(port)).toBe(1);
      expect(paths).toEqual(['GET /healthz', 'GET /healthz']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await probe(port)).toBe(1);
  });

  it('skips the onnxruntime-node download in the stage that installs the dependencies', () => {
    const installAt = instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(installAt).toBeGreaterThan(0);
    const stageStart = instructions
      .slice(0, installAt)
      .map((i) => i.keyword)
      .lastIndexOf('FROM');
    const before = instructions.slice(stageStart, installAt);
    expect(before.some((i) => i.keyword === 'ENV' && /\bONNXRUNTIME_NODE_INSTALL=skip\b/.test(i.args))).toBe(
      true,
    );
    expect(readRepoFile('.npmrc')).toMatch(/^onnxruntime-node-install=skip$/m);
  });

  it('installs production dependencies only, and every package the CLI imports at run time is one', () => {
    expect(instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b.*--omit=dev\b/.test(i.args))).toBe(
      true,
    );
    const pkg = JSON.parse(readRepoFile('package.json')) as { dependencies: Record<string, string> };
    // The container runs src/cli.ts with the OpenTelemetry entry imported first.
    const cli = runtimeGraph(path.join(repoRoot, 'src/cli.ts'));
    const telemetry = runtimeGraph(path.join(repoRoot, 'src/telemetry/register.ts'));
    const imported = new Set([...cli.packages, ...telemetry.packages]);
    const files = new Set([...cli.files, ...telemetry.files]);
    // src/generated/ (GraphQL Code Generator output) is not in the image: only types may come from it.
    const generated = path.join(repoRoot, 'src/generated');
    expect([...files].filter((f) => f.startsWith(generated))).toEqual([]);
    // Loaded by path rather than by import: the GraphiQL assets (src/server/graphiql). The build
    // stage, which installs nothing more, runs esbuild through tsx (scripts/build.ts).
    for (const name of ['graphiql', 'react', 'react-dom', 'esbuild', 'tsx']) imported.add(name);
    expect(imported.size).toBeGreaterThan(10);
    const missing = [...imported].filter((name) => !(name in pkg.dependencies));
    expect(missing, 'packages the server imports but `npm ci --omit=dev` would not install').toEqual([]);
  });

  it('builds dist/ in a stage from the sources, and the runtime stage copies it with the files the server reads', () => {
    /** The instructions of the stage named `name`, from its FROM to the next. */
    const stage = (name: string): { keyword: string; args: string }[] => {
      const start = instructions.findIndex((i) => i.keyword === 'FROM' && i.args.endsWith(` AS ${name}`));
      expect(start, `stage ${name}`).toBeGreaterThanOrEqual(0);
      const end = instructions.findIndex((i, at) => at > start && i.keyword === 'FROM');
      return instructions.slice(start + 1, end === -1 ? undefined : end);
    };
    const copies = (name: string): string[] =>
      stage(name)
        .filter((i) => i.keyword === 'COPY')
        .map((i) => i.args);
    const build = stage('build');
    for (const dir of ['scripts', 'src', 'models', 'resolvers']) {
      expect(copies('build'), `build: COPY ${dir}`).toContain(`${dir} ./${dir}`);
    }
    expect(copies('build')).toContain('--from=deps /app/node_modules ./node_modules');
    expect(build.at(-1)).toEqual({ keyword: 'RUN', args: 'npm run build' });
    expect(readRepoFile('package.json')).toContain('"build": "tsx scripts/build.ts"');
    const runtime = copies('runtime');
    for (const copy of ['--from=build /app/dist ./dist', 'schema ./schema', 'data ./data', 'bin ./bin']) {
      expect(runtime, `runtime: COPY ${copy}`).toContain(copy);
    }
    // No TypeScript in the final image: it runs dist/ only.
    for (const dir of ['src', 'models', 'resolvers']) {
      expect(runtime.filter((c) => c.startsWith(`${dir} `))).toEqual([]);
    }
  });

  it('starts `recgate serve` with plain node from dist/, the telemetry entry first', () => {
    expect(instructions.at(-1)).toEqual({
      keyword: 'CMD',
      args: '["node", "--enable-source-maps", "--max-semi-space-size=16", "--no-allocation-site-pretenuring", "--import", "./dist/src/telemetry/register.js", "dist/src/cli.js", "serve"]',
    });
    expect(instructions.some((i) => i.keyword === 'EXPOSE' && i.args === '4000')).toBe(true);
  });

  it('keeps local state out of the build context (.dockerignore)', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const entry of ['node_modules', 'var', '.git']) expect(ignored).toContain(entry);
    // What the image needs must not be ignored.
    for (const needed of [
      'src',
      'scripts',
      'models',
      'data',
      'schema',
      'resolvers',
      'package.json',
      'package-lock.json',
    ]) {
      expect(ignored).not.toContain(needed);
    }
  });

  it('matches compose: the gateway image is built from this file', () => {
    const gateway = (readCompose() as ComposeFile).services['gateway']!;
    expect(gateway.build).toMatchObject({ dockerfile: 'docker/Dockerfile' });
  });
});
