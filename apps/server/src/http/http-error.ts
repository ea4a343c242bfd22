import { HttpException } from '@nestjs/common';

/** The JSON body of every Herald error: a message, and the field at fault when there is one. */
export interface ErrorBody {
  error: string;
  field?: string;
  [extra: string]: unknown;
}

/** An HTTP error with Herald's JSON body (`{error, field, ...}`) and optional headers (`Retry-After`). */
export class HeraldHttpError extends HttpException {
  constructor(
    status: number,
    body: ErrorBody,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(body, status);
  }
}

export function badRequest(field: string, message: string): HeraldHttpError {
  return new HeraldHttpError(400, { error: `${field}: ${message}`, field });
}
