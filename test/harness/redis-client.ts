import { Redis, type RedisOptions } from 'ioredis';
import { createFailFastClient } from '@herald/redis';
import { RedisServer } from './redis-server';

/** A fail-fast client (as the stores use) on `url`, connected; connection errors are the test's to see. */
export async function connectedClient(
  url: string,
  commandTimeout = 1000,
  connectTimeout = 1000,
): Promise<Redis> {
  const redis = createFailFastClient({ url, commandTimeout, connectTimeout });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

/**
 * A plain ioredis client (RESP2, no offline queue: a dead server fails a command at once), connected;
 * `opts` adds to or overrides that. disconnectTimeout: ioredis 6 arms a 2 s timer on disconnect() even
 * when the socket is already closed (server killed), which would keep Jest from exiting.
 */
export async function rawClient(url: string, opts: RedisOptions = {}): Promise<Redis> {
  const c = new Redis(url, {
    protocol: 2,
    lazyConnect: true,
    enableOfflineQueue: false,
    disconnectTimeout: 50,
    ...opts,
  });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/**
 * A suite's Redis: a fresh redis-server and a connected fail-fast client, started in `beforeAll` and
 * handed to `use` (assign them to the suite's variables), disconnected and stopped in `afterAll`.
 */
export function withRedis(
  use: (r: { server: RedisServer; redis: Redis }) => void,
  o: { commandTimeout?: number } = {},
): void {
  let started: { server: RedisServer; redis: Redis } | undefined;
  beforeAll(async () => {
    const server = await RedisServer.start();
    started = { server, redis: await connectedClient(server.url, o.commandTimeout ?? 1000) };
    use(started);
  });
  afterAll(async () => {
    started?.redis.disconnect();
    await started?.server.stop();
  });
}

/** Records the name of every command `redis` sends until `restore()`. */
export function spyCommands(redis: Redis): { sent: string[]; restore(): void } {
  const sent: string[] = [];
  const orig = redis.sendCommand.bind(redis);
  redis.sendCommand = ((cmd: { name: string }) => {
    sent.push(cmd.name);
    return orig(cmd as never);
  }) as typeof redis.sendCommand;
  return { sent, restore: () => void (redis.sendCommand = orig) };
}
