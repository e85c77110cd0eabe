/**
 * Safe URL fetching for ingestion. A URL given to kgrag could point at the machine itself or its
 * network (cloud metadata at 169.254.169.254, an admin page on 10.x), so unless private URLs are
 * allowed, every hop is checked:
 *
 * - only http and https;
 * - the host name is resolved (all addresses) and refused if any address is not public unicast
 *   (private, loopback, link-local, unique-local, multicast, CGNAT, unspecified, reserved ...,
 *   also IPv4 embedded in IPv4-mapped and NAT64 IPv6 addresses);
 * - the connection is pinned to the checked address through the request's `lookup`, so a second
 *   DNS answer cannot swap in another address (DNS rebinding);
 * - redirects are followed by hand (at most 5), each hop checked again.
 *
 * The body is limited in size (also after decompression) and the whole fetch in time.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import ipaddr from 'ipaddr.js';
import { LoadError, errorMessage } from '../errors.ts';

export const USER_AGENT = 'kgrag/0.1';
export const MAX_REDIRECTS = 5;

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses; injectable for tests. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Returns why an address must not be fetched (its range name), or undefined when it is public. */
export type AddressPolicy = (address: string) => string | undefined;

export interface FetchOptions {
  maxBytes: number;
  timeoutMs: number;
  allowPrivateUrls: boolean;
  maxRedirects?: number;
  resolver?: HostResolver;
  /** Replaces `forbiddenRange` (tests use it to treat 127.0.0.1 as public). */
  addressPolicy?: AddressPolicy;
}

export interface FetchedResource {
  bytes: Uint8Array;
  /** The URL after redirects. */
  finalUrl: string;
  contentType: string | undefined;
}

export const systemResolver: HostResolver = async (hostname) => {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  return addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * The special-purpose range an address belongs to, or undefined for public unicast addresses.
 * IPv4 inside IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96) addresses is judged as IPv4.
 */
export function forbiddenRange(address: string): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'invalid address';
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const range = v6.range();
    if (range === 'ipv4Mapped') parsed = v6.toIPv4Address();
    else if (range === 'rfc6052' && v6.match(ipaddr.IPv6.parseCIDR('64:ff9b::/96'))) {
      parsed = ipaddr.fromByteArray(v6.toByteArray().slice(12));
    }
  }
  const range = parsed.range();
  return range === 'unicast' ? undefined : range;
}

export async function fetchUrl(url: string, options: FetchOptions): Promise<FetchedResource> {
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let current = parseHttpUrl(url, url);
  try {
    for (let redirects = 0; ; redirects++) {
      const address = await checkedAddress(current, options, controller.signal);
      const response = await request(current, address, controller.signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.destroy();
        if (redirects >= maxRedirects) {
          throw new LoadError('FETCH_FAILED', `${url}: too many redirects (more than ${maxRedirects}).`);
        }
        current = parseHttpUrl(resolveLocation(location, current), url);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        const reason = response.statusMessage ? ` ${response.statusMessage}` : '';
        throw new LoadError('FETCH_FAILED', `${current.href}: the server answered HTTP ${status}${reason}.`);
      }
      const bytes = await readBody(response, current.href, options.maxBytes);
      return { bytes, finalUrl: current.href, contentType: headerValue(response.headers['content-type']) };
    }
  } catch (err) {
    throw toLoadError(err, current, controller.signal.aborted ? options.timeoutMs : undefined);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function parseHttpUrl(value: string, original: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new LoadError('INVALID_INPUT', `${value} is not a valid URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    if (value === original) throw new LoadError('INVALID_INPUT', `${value}: only http and https URLs can be fetched.`);
    throw new LoadError('FETCH_FAILED', `${original} redirected to ${parsed.href}; only http and https URLs can be fetched.`);
  }
  return parsed;
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw new LoadError('FETCH_FAILED', `${base.href} redirected to an invalid location: ${location}`);
  }
}

/** Brackets of an IPv6 literal are part of URL.hostname but not of the address. */
function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Resolves the host and checks every address; returns the one to connect to. */
async function checkedAddress(url: URL, options: FetchOptions, signal: AbortSignal): Promise<ResolvedAddress> {
  const host = bareHostname(url);
  const family = net.isIP(host);
  const addresses: ResolvedAddress[] =
    family === 0 ? await resolveHost(host, options.resolver ?? systemResolver, signal) : [{ address: host, family: family === 6 ? 6 : 4 }];
  const first = addresses[0];
  if (!first) throw new LoadError('FETCH_FAILED', `Could not resolve host name "${host}" (${url.href}).`);
  if (options.allowPrivateUrls) return first;
  const policy = options.addressPolicy ?? forbiddenRange;
  for (const { address } of addresses) {
    const range = policy(address);
    if (range) {
      throw new LoadError(
        'FORBIDDEN_ADDRESS',
        `${url.href}: ${host} resolves to ${address} (${range}), which is not a public address. ` +
          'Set KGRAG_ALLOW_PRIVATE_URLS=true to fetch from private networks.',
      );
    }
  }
  return first;
}

async function resolveHost(host: string, resolver: HostResolver, signal: AbortSignal): Promise<ResolvedAddress[]> {
  try {
    return await abortable(resolver(host), signal);
  } catch (cause) {
    if (signal.aborted) throw cause;
    throw new LoadError('FETCH_FAILED', `Could not resolve host name "${host}" (${errorMessage(cause)}).`, { cause });
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('aborted'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A lookup that only ever answers with the address that was checked. */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
}

function request(url: URL, address: ResolvedAddress, signal: AbortSignal): Promise<IncomingMessage> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, {
      method: 'GET',
      headers: {
        'User-Agent': USER_AGENT,
        Accept: 'text/html,application/xhtml+xml,application/pdf,text/markdown,text/plain;q=0.9,*/*;q=0.5',
        'Accept-Encoding': 'gzip, deflate, br',
      },
      lookup: pinnedLookup(address),
      // No pooled sockets: each connection is made (and pinned) for this request only.
      agent: false,
      signal,
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decodedStream(response: IncomingMessage): Readable {
  const encoding = headerValue(response.headers['content-encoding'])?.trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return response;
  response.on('error', (err) => decoder.destroy(err));
  return response.pipe(decoder);
}

/** Reads the body, aborting as soon as it exceeds the limit (compressed or not). */
async function readBody(response: IncomingMessage, url: string, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = (): LoadError =>
    new LoadError('TOO_LARGE', `${url} is larger than the ${formatBytes(maxBytes)} limit (KGRAG_MAX_FILE_MB).`);
  const declared = Number(headerValue(response.headers['content-length']));
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const stream = decodedStream(response);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buffer.length;
      if (total > maxBytes) throw tooLarge();
      chunks.push(buffer);
    }
  } finally {
    response.destroy();
    if (stream !== response) stream.destroy();
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}

function toLoadError(err: unknown, url: URL, timedOutAfterMs: number | undefined): LoadError {
  if (err instanceof LoadError) return err;
  if (timedOutAfterMs !== undefined) {
    return new LoadError('FETCH_FAILED', `${url.href}: timed out after ${timedOutAfterMs} ms.`, { cause: err });
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const host = url.host;
  const messages: Record<string, string> = {
    ECONNREFUSED: `connection refused by ${host}`,
    ECONNRESET: `connection reset by ${host}`,
    EHOSTUNREACH: `host ${host} is unreachable`,
    ENETUNREACH: `network unreachable for ${host}`,
    ETIMEDOUT: `connection to ${host} timed out`,
    Z_DATA_ERROR: 'the response body could not be decompressed',
  };
  const detail = (code && messages[code]) ?? errorMessage(err);
  return new LoadError('FETCH_FAILED', `${url.href}: ${detail}.`, { cause: err });
}
