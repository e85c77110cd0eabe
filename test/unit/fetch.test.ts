/**
 * Fetching against a local server on 127.0.0.1. No traffic goes anywhere else: host names are
 * resolved by stub resolvers, and private addresses must be refused before any connection.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadError } from '../../src/errors.ts';
import { fetchUrl, forbiddenRange } from '../../src/ingest/fetch.ts';
import type { FetchOptions, HostResolver } from '../../src/ingest/fetch.ts';

const PAGE = '<html><head><title>Local</title></head><body><p>Hello from the test server.</p></body></html>';

let server: Server;
let port: number;
let base: string;
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

function handle(url: string, res: import('node:http').ServerResponse): void {
  const redirect = (location: string, status = 302): void => {
    res.writeHead(status, { location });
    res.end();
  };
  if (url === '/page') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  } else if (url === '/r1') redirect('/r2', 301);
  else if (url === '/r2') redirect(`http://127.0.0.1:${port}/r3`, 303);
  else if (url === '/r3') redirect('page', 307);
  else if (url.startsWith('/loop/')) redirect(`/loop/${Number(url.slice(6)) + 1}`);
  else if (url.startsWith('/hops/')) redirect(Number(url.slice(6)) > 1 ? `/hops/${Number(url.slice(6)) - 1}` : '/page');
  else if (url === '/to-internal') redirect(`http://internal.test:${port}/page`);
  else if (url === '/to-metadata') redirect('http://169.254.169.254/latest/meta-data/');
  else if (url === '/to-file') redirect('file:///etc/passwd');
  else if (url === '/big') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5000' });
    res.end('x'.repeat(5000));
  } else if (url === '/big-chunked') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed || sent >= 50) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write('y'.repeat(500));
      sent++;
    }, 1);
  } else if (url === '/gzip') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(gzipSync(Buffer.from('compressed hello')));
  } else if (url === '/gzip-bomb') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(gzipSync(Buffer.alloc(200_000, 'z')));
  } else if (url === '/slow') {
    // Never answers; the client's timeout must end the request.
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not here');
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    handle(req.url ?? '', res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Resolves names from a table, and records every lookup; unknown names fail like ENOTFOUND. */
function stubResolver(table: Record<string, string[]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (host: string) => {
    calls.push(host);
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));
  };
  return Object.assign(resolver, { calls });
}

const ALLOW: FetchOptions = { maxBytes: 4000, timeoutMs: 3000, allowPrivateUrls: true, resolver: stubResolver({}) };
const DENY: FetchOptions = { ...ALLOW, allowPrivateUrls: false };

async function failure(url: string, options: FetchOptions): Promise<LoadError> {
  try {
    await fetchUrl(url, options);
  } catch (err) {
    expect(err).toBeInstanceOf(LoadError);
    return err as LoadError;
  }
  throw new Error(`expected ${url} to fail`);
}

describe('fetchUrl with private addresses refused', () => {
  it('refuses 127.0.0.1 before connecting', async () => {
    const before = seen.length;
    const error = await failure(`${base}/page`, DENY);
    expect(error.code).toBe('FORBIDDEN_ADDRESS');
    expect(error.message).toContain('127.0.0.1 (loopback)');
    expect(error.message).toContain('KGRAG_ALLOW_PRIVATE_URLS');
    expect(seen.length).toBe(before);
  });

  it('refuses IPv6 loopback and IPv4-mapped private literals', async () => {
    expect((await failure(`http://[::1]:${port}/page`, DENY)).code).toBe('FORBIDDEN_ADDRESS');
    expect((await failure(`http://[::ffff:10.0.0.1]:${port}/`, DENY)).code).toBe('FORBIDDEN_ADDRESS');
    // Numeric spellings of 127.0.0.1 are normalised by the URL parser before the check.
    expect((await failure(`http://2130706433:${port}/page`, DENY)).code).toBe('FORBIDDEN_ADDRESS');
    expect((await failure(`http://0x7f.1:${port}/page`, DENY)).code).toBe('FORBIDDEN_ADDRESS');
  });

  it('refuses a public-looking host name that resolves to a private or link-local address', async () => {
    const resolver = stubResolver({
      'intranet.example.com': ['10.0.0.1'],
      'metadata.example.com': ['169.254.169.254'],
      'mixed.example.com': ['93.184.216.34', '192.168.1.10'],
    });
    const options = { ...DENY, resolver };
    const before = seen.length;
    const intranet = await failure('http://intranet.example.com/secret', options);
    expect([intranet.code, intranet.message]).toEqual(['FORBIDDEN_ADDRESS', expect.stringContaining('10.0.0.1 (private)')]);
    const metadata = await failure('https://metadata.example.com/latest/meta-data/', options);
    expect([metadata.code, metadata.message]).toEqual(['FORBIDDEN_ADDRESS', expect.stringContaining('169.254.169.254 (linkLocal)')]);
    // One private address among public ones is enough to refuse.
    expect((await failure('http://mixed.example.com/', options)).code).toBe('FORBIDDEN_ADDRESS');
    expect(resolver.calls).toEqual(['intranet.example.com', 'metadata.example.com', 'mixed.example.com']);
    expect(seen.length).toBe(before);
  });

  it('checks every redirect hop: a redirect to a private address is refused', async () => {
    // 127.0.0.1 plays a public server here; everything else keeps the real policy.
    const policy = (address: string) => (address === '127.0.0.1' ? undefined : forbiddenRange(address));
    const resolver = stubResolver({ 'internal.test': ['10.1.2.3'] });
    const options: FetchOptions = { ...DENY, resolver, addressPolicy: policy };
    const internal = await failure(`${base}/to-internal`, options);
    expect([internal.code, internal.message]).toEqual(['FORBIDDEN_ADDRESS', expect.stringContaining('10.1.2.3')]);
    expect(resolver.calls).toEqual(['internal.test']);
    expect((await failure(`${base}/to-metadata`, options)).code).toBe('FORBIDDEN_ADDRESS');
  });

  it('only fetches http and https, also after a redirect', async () => {
    expect((await failure('ftp://127.0.0.1/file', DENY)).code).toBe('INVALID_INPUT');
    expect((await failure('file:///etc/passwd', DENY)).code).toBe('INVALID_INPUT');
    expect((await failure(`${base}/to-file`, ALLOW)).code).toBe('FETCH_FAILED');
  });
});

describe('fetchUrl with private addresses allowed', () => {
  it('fetches a page with its content type and our User-Agent', async () => {
    const result = await fetchUrl(`${base}/page`, ALLOW);
    expect(Buffer.from(result.bytes).toString('utf8')).toBe(PAGE);
    expect(result.finalUrl).toBe(`${base}/page`);
    expect(result.contentType).toBe('text/html; charset=utf-8');
    expect(seen.at(-1)?.headers['user-agent']).toBe('kgrag/0.1');
  });

  it('connects to the address the resolver gave, keeping the host name in the request', async () => {
    const resolver = stubResolver({ 'docs.test': ['127.0.0.1'] });
    const result = await fetchUrl(`http://docs.test:${port}/page`, { ...ALLOW, resolver });
    expect(result.finalUrl).toBe(`http://docs.test:${port}/page`);
    expect(seen.at(-1)?.headers.host).toBe(`docs.test:${port}`);
    expect(resolver.calls).toEqual(['docs.test']);
  });

  it('follows a chain of redirects (301, 303, 307, relative locations)', async () => {
    const result = await fetchUrl(`${base}/r1`, ALLOW);
    expect(result.finalUrl).toBe(`${base}/page`);
    expect(Buffer.from(result.bytes).toString('utf8')).toBe(PAGE);
  });

  it('follows at most 5 redirects', async () => {
    expect((await fetchUrl(`${base}/hops/5`, ALLOW)).finalUrl).toBe(`${base}/page`);
    const six = await failure(`${base}/hops/6`, ALLOW);
    expect([six.code, six.message]).toEqual(['FETCH_FAILED', expect.stringContaining('too many redirects (more than 5)')]);
    const before = seen.length;
    expect((await failure(`${base}/loop/0`, ALLOW)).code).toBe('FETCH_FAILED');
    expect(seen.length - before).toBe(6);
  });

  it('refuses a body over the limit: declared, streamed, or after decompression', async () => {
    const declared = await failure(`${base}/big`, ALLOW);
    expect([declared.code, declared.message]).toEqual(['TOO_LARGE', expect.stringContaining('3.9 KB limit')]);
    expect((await failure(`${base}/big-chunked`, ALLOW)).code).toBe('TOO_LARGE');
    expect((await failure(`${base}/gzip-bomb`, ALLOW)).code).toBe('TOO_LARGE');
  });

  it('decompresses gzip bodies', async () => {
    const result = await fetchUrl(`${base}/gzip`, ALLOW);
    expect(Buffer.from(result.bytes).toString('utf8')).toBe('compressed hello');
  });

  it('reports HTTP errors with their status', async () => {
    const error = await failure(`${base}/missing`, ALLOW);
    expect([error.code, error.message]).toEqual(['FETCH_FAILED', expect.stringContaining('HTTP 404 Not Found')]);
  });

  it('reports a host name that does not resolve', async () => {
    const error = await failure('http://no-such-host.invalid/page', ALLOW);
    expect([error.code, error.message]).toEqual(['FETCH_FAILED', expect.stringContaining('Could not resolve host name "no-such-host.invalid"')]);
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(`http://127.0.0.1:${closedPort}/`, ALLOW);
    expect([error.code, error.message]).toEqual(['FETCH_FAILED', expect.stringContaining('connection refused')]);
  });

  it('times out', async () => {
    const error = await failure(`${base}/slow`, { ...ALLOW, timeoutMs: 200 });
    expect([error.code, error.message]).toEqual(['FETCH_FAILED', expect.stringContaining('timed out after 200 ms')]);
  });
});

describe('forbiddenRange', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.0.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['not an address', 'invalid address'],
  ])('refuses %s (%s)', (address, range) => {
    expect(forbiddenRange(address)).toBe(range);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('allows %s', (address) => {
    expect(forbiddenRange(address)).toBeUndefined();
  });
});
