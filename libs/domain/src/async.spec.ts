import { withTimeout } from './async';

describe('withTimeout', () => {
  it('settles like the promise when it settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
  });

  it('rejects with the message once the time is up', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 10, 'no connection within 10 ms')).rejects.toThrow(
      'no connection within 10 ms',
    );
    await expect(withTimeout(never, 10)).rejects.toThrow('no answer within 10 ms');
  });
});
