/** The parts of a V8 `.cpuprofile` (Chrome DevTools Profiler.Profile) that the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
    readonly children?: readonly number[];
  }[];
  /** Node id of each sample, in time order. */
  readonly samples: readonly number[];
  /** µs since the previous sample (the first since `startTime`). */
  readonly timeDeltas: readonly number[];
}

/** Self time of one function (all profile nodes with the same name, file and line). */
export interface FunctionSelfTime {
  /** `name (file:line)`, the file relative to the repository when it is in it; `(program)`, `(garbage collector)`, `(idle)` as V8 names them. */
  readonly function: string;
  /** Self time in ms. */
  readonly ms: number;
  /** Share of the non-idle sampled time, 0..1. */
  readonly share: number;
}

/**
 * Self time per function of a V8 CPU profile (`node --cpu-prof`): each
 * sample's interval (its following `timeDeltas` entry, as Chrome DevTools
 * attributes it) goes to the function on top of the stack; nodes of the same
 * function (name, url, line) are added up. `(idle)` is left out of the
 * shares. Returns the `top` functions by self time, largest first.
 * @param root repository root stripped from file URLs. @default ''
 */
export function summarizeCpuProfile(profile: CpuProfile, top = 20, root = ''): FunctionSelfTime[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const node = byNode.get(samples[i]!);
    if (node === undefined) continue;
    const us = timeDeltas[i + 1] ?? 0;
    const key = label(node.callFrame, root);
    selfUs.set(key, (selfUs.get(key) ?? 0) + us);
  }
  let busy = 0;
  for (const [key, us] of selfUs) if (key !== '(idle)') busy += us;
  return [...selfUs]
    .filter(([key]) => key !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ function: fn, ms: us / 1000, share: busy === 0 ? 0 : us / busy }));
}

function label(frame: CpuProfile['nodes'][number]['callFrame'], root: string): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  let file = frame.url.replace(/^file:\/\//, '');
  if (root !== '' && file.startsWith(root)) file = file.slice(root.length);
  file = file.replace(/^(.*\/)?node_modules\//, '');
  return `${name} (${file}:${frame.lineNumber + 1})`;
}
