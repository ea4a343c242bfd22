import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HeraldHttpError } from './http-error';

/**
 * One error shape for every failure: `{error, field?}` JSON. Client errors keep their 4xx status;
 * anything unexpected is logged and answered with a generic 500 that leaks no internals.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof HttpException) {
      if (exception instanceof HeraldHttpError && exception.headers) void reply.headers(exception.headers);
      const status = exception.getStatus();
      const res = exception.getResponse();
      const own =
        typeof res === 'object' && res !== null && typeof (res as { error?: unknown }).error === 'string';
      void reply.status(status).send(own ? res : frameworkError(status, exception.message));
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
function frameworkError(status: number, message: string): { error: string; field?: string } {
  switch (status) {
    case 400:
      return { error: `body: ${/JSON/i.test(message) ? 'malformed JSON: ' : ''}${message}`, field: 'body' };
    case 413:
      return { error: 'body: request body is larger than herald.limits.max_body_bytes', field: 'body' };
    case 415:
      return { error: `Content-Type: ${message}`, field: 'Content-Type' };
    default:
      return { error: message };
  }
}
