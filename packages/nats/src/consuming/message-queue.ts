/** An unbounded FIFO the consumer's callback fills and the processing loop drains in batches. */
export class MessageQueue<T> {
  private items: T[] = [];
  private waiter?: () => void;
  private closed = false;

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /**
   * Waits for at least one item, then up to `lingerMs` more for `max` of them, and takes up to
   * `max`; `undefined` once closed.
   */
  async take(max: number, lingerMs = 0): Promise<T[] | undefined> {
    while (this.items.length === 0 && !this.closed) await this.next();
    const deadline = Date.now() + lingerMs;
    while (this.items.length < max && !this.closed && Date.now() < deadline) {
      await this.next(deadline - Date.now());
    }
    if (this.closed) return undefined;
    return this.items.splice(0, max);
  }

  /** Empties the queue, returning what was left. */
  drain(): T[] {
    return this.items.splice(0);
  }

  /** Resolves at the next push or close, or after `timeoutMs`. */
  private next(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(resolve, timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
