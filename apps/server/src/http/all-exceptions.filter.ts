import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AlertmanagerStringError, HeraldHttpError } from './http-error';

/**
 * One error shape for every failure: `{error, field?}` JSON — except the Alertmanager routes whose
 * spec declares a string body (AlertmanagerStringError: a JSON string naming the field). Client errors keep their 4xx status;
 * anything unexpected is logged and answered with a generic 500 that leaks no internals.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    if (clientGone(exception, req, reply)) {
      // Nobody to answer and nothing broken here: no stack trace, no error line.
      this.log.debug(`client closed the connection: ${req.method} ${req.url.split('?')[0]}`);
      return;
    }
    if (exception instanceof AlertmanagerStringError) {
      if (exception.headers) void reply.headers(exception.headers);
      void reply
        .status(exception.getStatus())
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(exception.text));
      return;
    }
    if (exception instanceof HttpException) {
      if (exception instanceof HeraldHttpError && exception.headers) void reply.headers(exception.headers);
      const status = exception.getStatus();
      const res = exception.getResponse();
      // Nest's own bodies (`{message, error: 'Not Found', statusCode}`) also carry an `error` string:
      // only Herald's errors are sent as they are, the framework's are rewritten to `{error, field}`.
      const own =
        exception instanceof HeraldHttpError ||
        (typeof res === 'object' &&
          res !== null &&
          typeof (res as { error?: unknown }).error === 'string' &&
          !('statusCode' in res));
      void reply
        .status(status)
        .send(own ? res : frameworkError(status, exception.message, req.headers['content-type'], req));
      return;
    }
    this.log.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    void reply.status(500).send({ error: 'internal error' });
  }
}

/**
 * Errors raised by Fastify/Nest before our handlers run (JSON parsing, body limit, media type, unknown
 * route) arrive as plain HttpExceptions: name the part of the request at fault.
 */
export function frameworkError(
  status: number,
  message: string,
  contentType: string | undefined,
  req?: Pick<FastifyRequest, 'method' | 'url'>,
): { error: string; field?: string } {
  switch (status) {
    case 404:
      // An unknown route (the router's "Cannot GET /x"): name the path, without its query string.
      return {
        error: `no such route: ${req ? `${req.method} ${req.url.split('?')[0].slice(0, 200)}` : message}`,
        field: 'path',
      };
    case 400:
      return { error: `body: ${/JSON/i.test(message) ? 'malformed JSON: ' : ''}${message}`, field: 'body' };
    case 413:
      return { error: 'body: request body is larger than herald.limits.max_body_bytes', field: 'body' };
    case 415:
      return {
        error: `Content-Type: must be application/json, got ${JSON.stringify(contentType?.slice(0, 100) ?? '')} (${message})`,
        field: 'Content-Type',
      };
    default:
      return { error: message };
  }
}

/**
 * Whether the error is the client going away (it closed the socket while its body was being read, or
 * before the answer): Node reports that as an `aborted` / ECONNRESET error on a destroyed request.
 */
export function clientGone(exception: unknown, req: FastifyRequest, reply: FastifyReply): boolean {
  // Not `instanceof Error`: Node's own errors come from another realm under Jest's VM contexts.
  if (typeof exception !== 'object' || exception === null) return false;
  const { code, message } = exception as { code?: unknown; message?: unknown };
  const abortError =
    message === 'aborted' || code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'EPIPE';
  const closed = req.raw.destroyed || reply.raw.destroyed || req.raw.socket?.destroyed === true;
  return abortError && closed;
}
