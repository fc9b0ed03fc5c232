export interface ConsumedMessage<T> {
  data: T;
  /** Stream sequence: strictly increasing within one stream. */
  seq: number;
  subject: string;
  deliveryCount: number;
  traceparent?: string;
}

export interface ConsumedBatch<T> {
  consumer: string;
  partition?: number;
  messages: ConsumedMessage<T>[];
}

/** Thrown by a handler for a message that can never be applied: it is dead-lettered at once. */
export class PoisonMessageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}
