// Types of receiver-normalise.js (plain CommonJS, shared with the fixture recorder).

/** A request as the capture recorded it (`host`: the CONNECT target, or 127.0.0.1 for direct requests). */
export interface RawHttp {
  method: string;
  host: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawMail {
  helo: string;
  from: string;
  to: string[];
  raw: string;
}

export interface NormalisedHttp {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
  json?: unknown;
  form?: Record<string, string>;
  url?: string;
}

export interface NormalisedMail {
  helo: string;
  from: string;
  to: string[];
  headers: Record<string, string>;
  parts: { contentType: string; body: string }[];
  raw: string;
}

export function normaliseHttp(r: RawHttp): NormalisedHttp;
export function normaliseMail(m: RawMail): NormalisedMail;
export function selfSignedCert(dir: string, subject: string): { key: Buffer; cert: Buffer };
