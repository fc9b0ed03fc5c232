import { HttpException } from '@nestjs/common';

/** The one error shape of the public API: `{ error: { code, message, details? } }`. */
export class ApiError extends HttpException {
  constructor(
    status: number,
    code: string,
    message: string,
    details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status);
  }
}
