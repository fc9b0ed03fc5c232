import type { RollupDelta } from '@tally/contracts';

/** An SSE client over fetch that keeps everything received as text. */
export class SseClient {
  text = '';
  /** Set once the server ended the stream (or the client closed it). */
  ended = false;
  private readonly abort = new AbortController();
  private reading?: Promise<void>;

  static async open(url: string, key: string): Promise<{ client: SseClient; res: Response }> {
    const client = new SseClient();
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
      signal: client.abort.signal,
    });
    if (res.ok && res.body) client.reading = client.read(res.body);
    return { client, res };
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) this.text += decoder.decode(chunk, { stream: true });
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
    }
  }

  deltas(): RollupDelta[] {
    return this.deltaFrames().map(
      (frame) => JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as RollupDelta,
    );
  }

  /** Each `event: delta` message as it came over the wire. */
  deltaFrames(): string[] {
    return [...this.text.matchAll(/^event: delta\ndata: .*\n\n/gm)].map((m) => m[0]);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }
}
