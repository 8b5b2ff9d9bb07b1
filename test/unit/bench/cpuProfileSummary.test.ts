import { describe, expect, it } from 'vitest';
import { summarizeCpuProfile } from '../../../src/bench/cpuProfileSummary.js';
import type { CpuProfile } from '../../../src/bench/cpuProfileSummary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** root → a (2 nodes of the same function), b; idle. Samples: a a b a' idle; deltas chosen by hand. */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
    { id: 2, callFrame: frame('search', 'file:///repo/src/x.ts', 9) },
    { id: 3, callFrame: frame('score', 'file:///repo/node_modules/ort/y.js', 0) },
    { id: 4, callFrame: frame('search', 'file:///repo/src/x.ts', 9) },
    { id: 5, callFrame: frame('(idle)') },
  ],
  samples: [2, 2, 3, 4, 5],
  // Sample i lasts timeDeltas[i + 1]: a 1000, a 3000, b 2000, a' 2000, idle 5000.
  timeDeltas: [0, 1000, 3000, 2000, 2000, 5000],
};

describe('summarizeCpuProfile', () => {
  it('adds up self time per function across nodes, leaves idle out, largest first', () => {
    expect(summarizeCpuProfile(PROFILE, 10, '/repo/')).toEqual([
      { function: 'search (src/x.ts:10)', ms: 6, share: 0.75 },
      { function: 'score (ort/y.js:1)', ms: 2, share: 0.25 },
    ]);
  });

  it('keeps only the top n', () => {
    expect(summarizeCpuProfile(PROFILE, 1).map((f) => f.function)).toEqual(['search (/repo/src/x.ts:10)']);
  });
});
