import { RollupDelta } from '@tally/contracts';
import type { StreamCloseReason } from './live-metrics.js';

/** Where a project's SSE frames go: one open stream. */
export interface LiveSink {
  send(frame: Buffer): void;
  close(reason: StreamCloseReason): void;
}

/**
 * Starts following one project's deltas, handing each message's text to `deliver` and calling
 * `failed` if the feed breaks; returns what stops following it.
 */
export type FollowProject = (
  projectId: string,
  deliver: (payload: string) => void,
  failed: () => void,
) => () => void;

/**
 * The live streams of a replica by project, with one feed per project however many streams
 * follow it: each delta is parsed, checked and framed once and the same bytes go to every
 * stream of its project (one read key holding thousands of streams used to cost a parse and a
 * serialisation per stream per delta).
 */
export class LiveFanOut {
  private readonly projects = new Map<string, { sinks: Set<LiveSink>; stop: () => void }>();

  constructor(private readonly follow: FollowProject) {}

  add(projectId: string, sink: LiveSink): void {
    const project = this.projects.get(projectId);
    if (project) {
      project.sinks.add(sink);
      return;
    }
    const sinks = new Set([sink]);
    const stop = this.follow(
      projectId,
      (payload) => this.deliver(projectId, payload),
      () => this.fail(projectId),
    );
    this.projects.set(projectId, { sinks, stop });
  }

  /** Forgets `sink`; the project's feed stops with its last stream. */
  remove(projectId: string, sink: LiveSink): void {
    const project = this.projects.get(projectId);
    if (!project?.sinks.delete(sink) || project.sinks.size > 0) return;
    this.projects.delete(projectId);
    project.stop();
  }

  private deliver(projectId: string, payload: string): void {
    const sinks = this.projects.get(projectId)?.sinks;
    const frame = sinks && deltaFrame(payload);
    if (!frame) return;
    for (const sink of sinks) sink.send(frame);
  }

  private fail(projectId: string): void {
    for (const sink of [...(this.projects.get(projectId)?.sinks ?? [])]) {
      sink.close('subscription_failed');
    }
  }
}

/** The SSE message of one delta's JSON text; `undefined` for anything that is not a delta. */
export function deltaFrame(payload: string): Buffer | undefined {
  const delta = RollupDelta.safeParse(parseJson(payload));
  if (!delta.success) return undefined;
  return Buffer.from(`event: delta\ndata: ${JSON.stringify(delta.data)}\n\n`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
