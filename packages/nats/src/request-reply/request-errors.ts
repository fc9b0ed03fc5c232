/** Header on a reply that carries an error instead of the contract's reply. */
export const ERROR_HEADER = 'Tally-Error';

/** `reply-too-large`: the handler's reply would not fit in one message (`max_payload`). */
export type RequestErrorKind = 'bad-request' | 'handler-failed' | 'reply-too-large';

/** The peer could not be reached in time (no responders, timeout, connection down). */
export class ServiceUnavailableError extends Error {
  constructor(subject: string, cause: unknown) {
    super(`no timely reply on ${subject}`, { cause });
    this.name = 'ServiceUnavailableError';
  }
}

/** The peer answered with an error reply. */
export class RemoteRequestError extends Error {
  constructor(
    readonly kind: RequestErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteRequestError';
  }
}
