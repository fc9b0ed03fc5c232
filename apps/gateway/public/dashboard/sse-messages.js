/**
 * Splits a Server-Sent Events byte stream into messages `{ event, data }` as the HTML standard
 * reads them: `field: value` lines, a blank line ends a message, lines starting with `:` are
 * comments (the gateway's heartbeats).
 * @param {ReadableStream<BufferSource>} body the bytes of a `text/event-stream` response
 * @returns {AsyncGenerator<{ event: string, data: string }, void>}
 */
export async function* sseMessages(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = '';
  let data = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const lines = buffer.split(/\r?\n/);
      // The last piece has no line end yet: keep it for the next chunk.
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const fieldValue = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = fieldValue;
        else if (field === 'data') data.push(fieldValue);
      }
    }
  } finally {
    reader.releaseLock();
  }
}
