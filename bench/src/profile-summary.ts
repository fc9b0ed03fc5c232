import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface ProfileSummary {
  samples: number;
  /** Share of samples that were not idle. */
  busyShare: number;
  /** By self time: function, where, share of busy samples. */
  topFrames: Array<{ frame: string; share: number }>;
  /** By self time, grouped by package (node_modules), Node internals, GC or app code. */
  topModules: Array<{ module: string; share: number }>;
}

const NON_FRAMES = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function where(url: string): string {
  if (url === '') return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const apps = /\/((?:apps|packages)\/[^/]+)\/dist\/(.*)$/.exec(url);
  if (apps) return `${apps[1]}/${apps[2]}`;
  return url.replace(/^file:\/\//, '');
}

function moduleOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (NON_FRAMES.has(functionName)) return functionName;
  if (url === '') return '(native / V8 builtins)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const apps = /\/((?:apps|packages)\/[^/]+)\//.exec(url);
  return apps?.[1] ?? url;
}

/** Self-time summary of a V8 .cpuprofile. */
export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const frames = new Map<string, number>();
  const modules = new Map<string, number>();
  let samples = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    samples += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const name = functionName || '(anonymous)';
    const key = NON_FRAMES.has(name)
      ? name
      : `${name} ${where(url)}${url ? `:${lineNumber + 1}` : ''}`;
    frames.set(key, (frames.get(key) ?? 0) + hits);
    const mod = moduleOf(node);
    modules.set(mod, (modules.get(mod) ?? 0) + hits);
  }
  const busy = Math.max(1, samples - idle);
  const rank = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    samples,
    busyShare: samples ? busy / samples : 0,
    topFrames: rank(frames).map(([frame, n]) => ({ frame, share: n / busy })),
    topModules: rank(modules).map(([module, n]) => ({ module, share: n / busy })),
  };
}
