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

  /** Waits for at least one item and takes up to `max`; `undefined` once closed. */
  async take(max: number): Promise<T[] | undefined> {
    while (this.items.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    if (this.closed) return undefined;
    return this.items.splice(0, max);
  }

  /** Empties the queue, returning what was left. */
  drain(): T[] {
    return this.items.splice(0);
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
