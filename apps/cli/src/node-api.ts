/** heraldctl's HTTP client for a Herald node's API (the commands that go through a node, not Redis). */

/** Where a node is and how to authenticate to it. */
export interface NodeTarget {
  /** Base URL, e.g. `http://127.0.0.1:9093` (no trailing slash). */
  base: string;
  /** API key or dashboard session token sent as `Authorization: Bearer …`; none in zero-config. */
  token?: string;
  timeoutMs: number;
}

/** A request the node refused or could not answer: the message is the API's `error` when it gave one. */
export class NodeApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the node could not be reached. */
    public readonly status: number,
    /** The field the API named (`{error, field}`), if any. */
    public readonly field?: string,
  ) {
    super(message);
    this.name = 'NodeApiError';
  }
}

// The largest answer read (a list of 10 000 silences is a few MB); more is a wrong URL, not a node.
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_ERROR_CHARS = 500;

/** Checks `--server`: an http(s) URL without query or fragment; returns it without trailing slashes. */
export function nodeBase(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash) return null;
  if (u.username || u.password) return null; // credentials go in HERALD_API_KEY, not in a URL in `ps`
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/** A URL with its query string dropped, for messages (filters can be long). */
function shown(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new NodeApiError(`answer larger than ${MAX_BODY_BYTES} bytes`, res.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One JSON request to the node. 2xx → the parsed body (undefined when empty); anything else → a
 * NodeApiError carrying the API's `{error, field}` message, or the start of the body when it has none.
 */
export async function callNode<T>(t: NodeTarget, method: string, path: string, body?: unknown): Promise<T> {
  const url = `${t.base}${path}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (t.token) headers.authorization = `Bearer ${t.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(t.timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError'
        ? `no answer within ${t.timeoutMs} ms`
        : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new NodeApiError(`cannot reach ${shown(url)}: ${why}`, 0);
  }
  const text = await readCapped(res);
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (res.ok) {
    if (text && data === undefined)
      throw new NodeApiError(`${method} ${shown(url)}: the answer is not JSON`, res.status);
    return data as T;
  }
  // The silence routes answer errors as Alertmanager does, a JSON string `<message> (field: f)`.
  const named = typeof data === 'string' ? /^(.*) \(field: ([^)]+)\)$/s.exec(data) : null;
  const e =
    typeof data === 'string'
      ? { error: named ? named[1] : data, field: named?.[2] }
      : (data as { error?: unknown; field?: unknown } | undefined);
  if (e && typeof e === 'object' && typeof e.error === 'string') {
    throw new NodeApiError(
      `${e.error.slice(0, MAX_ERROR_CHARS)} (HTTP ${res.status})`,
      res.status,
      typeof e.field === 'string' ? e.field : undefined,
    );
  }
  const snippet = text.trim().slice(0, 200);
  throw new NodeApiError(
    `${method} ${shown(url)}: HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`,
    res.status,
  );
}
