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

/**
 * An error of an Alertmanager API v2 route whose spec declares a plain string body (silences: 400, 404,
 * 429, 500): amtool and other generated clients decode it as a JSON string — an object makes amtool
 * print "cannot unmarshal object" and stops `silence import` from retrying without the id after a 404.
 * The text is Alertmanager's message with the field appended (`… (field: endsAt)`), and the field is
 * also in the `X-Herald-Error-Field` header.
 */
export class AlertmanagerStringError extends HttpException {
  constructor(
    status: number,
    readonly text: string,
    readonly field?: string,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(text, status);
  }

  /** The string form of one of Herald's errors (422 stays `{error, field}`: not in Alertmanager's spec). */
  static of(e: HeraldHttpError): AlertmanagerStringError | HeraldHttpError {
    const status = e.getStatus();
    if (status === 422) return e;
    const body = e.getResponse() as ErrorBody;
    const field = typeof body.field === 'string' ? body.field : undefined;
    const text =
      field && !body.error.startsWith(`${field}:`) ? `${body.error} (field: ${field})` : body.error;
    return new AlertmanagerStringError(status, text, field, {
      ...(e.headers ?? {}),
      ...(field ? { 'X-Herald-Error-Field': headerSafe(field) } : {}),
    });
  }
}

/**
 * A header value from any text: Node refuses characters outside visible Latin-1 (a field such as
 * `annotations.名前` once made a 500), so the UTF-8 bytes outside visible ASCII, and `%`, are
 * percent-encoded (`annotations.%E5%90%8D%E5%89%8D`).
 */
export function headerSafe(s: string): string {
  return Buffer.from(s, 'utf8')
    .toString('latin1')
    .replace(/[^\x20-\x7e]|%/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}
