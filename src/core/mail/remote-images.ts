/**
 * Remote images of a mail, fetched by the core on the official's request (`mail.remoteImages`) and
 * returned as data: URIs; the renderer never contacts the sender's servers itself.
 *
 * A URL is fetched only if all of these hold, otherwise its answer is null:
 * - it occurs in that mail's HTML as an `<img src>` or a CSS `url(…)` (compared after URL
 *   normalisation, entities decoded): the renderer cannot turn the core into a general proxy;
 * - http: or https: (protocol-relative URLs count as https:), no user:password@;
 * - every address it connects to is public unicast: loopback, private (RFC 1918, ULA), link-local,
 *   CGNAT, multicast, documentation and reserved ranges are refused, checked on the addresses the
 *   connection really uses (a `lookup` hook, so DNS rebinding between check and connect is moot) and
 *   on IP-literal hosts (which skip DNS). This machine runs the training sandbox and the browser host
 *   on loopback;
 * - at most 3 redirects, each target checked again like the first URL;
 * - `Content-Type: image/*` (SVG included: the renderer shows it only as a data: URI in `<img>`,
 *   where it cannot run scripts), at most 5 MB, the whole fetch within 10 s;
 * - at most 20 images per call (the rest null), 4 at a time.
 * TLS certificates are verified (Node's default agent); no proxy from the environment is used, so the
 * address check applies to the real destination. No cookies, no Referer are sent.
 */
import axios, { type AxiosResponse, type LookupAddressEntry } from 'axios';
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { Readable } from 'node:stream';

export const REMOTE_IMAGE_LIMITS = {
  maxImages: 20,
  maxBytes: 5 * 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 3,
  concurrency: 4,
} as const;

export interface RemoteImageOptions {
  /**
   * Whether the core may connect to this resolved address. Default: public unicast only
   * (`isPublicAddress`). Tests inject a guard that also admits their loopback server.
   */
  isAllowedAddress?: (address: string) => boolean;
  maxImages?: number;
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
}

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 32], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** Is this IP address public unicast (not loopback, private, link-local, reserved…)? IPv4-mapped IPv6 checked as IPv4. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return !BLOCKED.check(mapped[1]!, 'ipv4');
  return !BLOCKED.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', colon: ':', sol: '/', lpar: '(', rpar: ')' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** An image URL as a browser would load it (absolute http/https only), or null. */
export function normalizeImageUrl(raw: string): string | null {
  // Browsers drop tabs and newlines inside URLs and trim spaces around them.
  const cleaned = raw.replace(/[\t\n\r]/g, '').trim();
  if (!/^(?:https?:)?\/\//i.test(cleaned)) return null;
  try {
    const url = new URL(cleaned.startsWith('//') ? `https:${cleaned}` : cleaned);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

const IMG_TAG_RE = /<img\b[^>]*>/gi;
const SRC_ATTR_RE = /\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const CSS_URL_RE = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"']*?))\s*\)/gi;

/** The remote image URLs of a mail's HTML (`<img src>`, CSS `url()`), normalised. */
export function remoteImageUrlsIn(html: string): Set<string> {
  const out = new Set<string>();
  for (const tag of html.match(IMG_TAG_RE) ?? []) {
    const m = SRC_ATTR_RE.exec(tag);
    const value = m?.[1] ?? m?.[2] ?? m?.[3];
    const url = value === undefined ? null : normalizeImageUrl(decodeEntities(value));
    if (url !== null) out.add(url);
  }
  // style attributes carry entities (`url(&quot;…&quot;)`): decode the whole text first.
  for (const m of decodeEntities(html).matchAll(CSS_URL_RE)) {
    const url = normalizeImageUrl(m[1] ?? m[2] ?? m[3] ?? '');
    if (url !== null) out.add(url);
  }
  return out;
}

class RefusedError extends Error {}

const IMAGE_TYPE_RE = /^image\/[a-z0-9.+-]{1,60}$/;

export class RemoteImageFetcher {
  private readonly isAllowed: (address: string) => boolean;
  private readonly maxImages: number;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;

  constructor(options: RemoteImageOptions = {}) {
    this.isAllowed = options.isAllowedAddress ?? isPublicAddress;
    this.maxImages = options.maxImages ?? REMOTE_IMAGE_LIMITS.maxImages;
    this.maxBytes = options.maxBytes ?? REMOTE_IMAGE_LIMITS.maxBytes;
    this.timeoutMs = options.timeoutMs ?? REMOTE_IMAGE_LIMITS.timeoutMs;
    this.maxRedirects = options.maxRedirects ?? REMOTE_IMAGE_LIMITS.maxRedirects;
  }

  /**
   * The requested URLs (each a key of the answer) → data: URI, or null when not in `html`, not
   * allowed, beyond the per-call limit, or not fetchable.
   */
  async fetchAll(html: string | null, urls: readonly string[]): Promise<Record<string, string | null>> {
    const inMail = html ? remoteImageUrlsIn(html) : new Set<string>();
    const result: Record<string, string | null> = {};
    const todo: { key: string; url: string }[] = [];
    const byUrl = new Map<string, string[]>();
    for (const key of urls) {
      if (Object.prototype.hasOwnProperty.call(result, key)) continue;
      result[key] = null;
      const url = normalizeImageUrl(key);
      if (url === null || !inMail.has(url)) continue;
      const keys = byUrl.get(url);
      if (keys) {
        keys.push(key);
        continue;
      }
      if (byUrl.size >= this.maxImages) continue;
      byUrl.set(url, [key]);
      todo.push({ key, url });
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const { url } = todo[next++]!;
        const data = await this.fetchOne(url);
        for (const key of byUrl.get(url) ?? []) result[key] = data;
      }
    };
    await Promise.all(Array.from({ length: Math.min(REMOTE_IMAGE_LIMITS.concurrency, todo.length) }, () => worker()));
    return result;
  }

  /** One image as a data: URI, or null (never throws). */
  async fetchOne(url: string): Promise<string | null> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let stream: Readable | null = null;
    try {
      let current = new URL(url);
      for (let hop = 0; ; hop++) {
        this.checkTarget(current);
        const res: AxiosResponse<Readable> = await axios.get<Readable>(current.href, {
          responseType: 'stream',
          maxRedirects: 0,
          validateStatus: () => true,
          signal: controller.signal,
          timeout: this.timeoutMs,
          proxy: false,
          decompress: false,
          lookup: (hostname, _options, cb) => this.lookup(hostname, cb),
          headers: { Accept: 'image/*', 'Accept-Encoding': 'identity', 'User-Agent': 'CommuneWorkstation-ImageFetch/1' },
        });
        stream = res.data;
        const location = res.headers['location'];
        if (res.status >= 300 && res.status < 400 && typeof location === 'string' && location !== '') {
          stream.destroy();
          stream = null;
          if (hop >= this.maxRedirects) return null;
          current = new URL(location, current);
          continue;
        }
        if (res.status !== 200) return null;
        const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!IMAGE_TYPE_RE.test(type)) return null;
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > this.maxBytes) return null;
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of stream) {
          const buf = chunk as Buffer;
          size += buf.length;
          if (size > this.maxBytes) return null;
          chunks.push(buf);
        }
        if (size === 0) return null;
        return `data:${type};base64,${Buffer.concat(chunks).toString('base64')}`;
      }
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
      stream?.destroy();
    }
  }

  private checkTarget(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RefusedError(`protocol ${url.protocol}`);
    if (url.username !== '' || url.password !== '') throw new RefusedError('credentials in the URL');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !this.isAllowed(host)) throw new RefusedError(`address ${host}`);
  }

  /** DNS for the connection itself: every address must be allowed, else the connection fails. */
  private lookup(hostname: string, cb: (err: Error | null, address: LookupAddressEntry[]) => void): void {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) return cb(error, []);
      const list = addresses ?? [];
      if (list.length === 0 || list.some((a) => !this.isAllowed(a.address))) {
        return cb(new RefusedError(`${hostname} resolves to an address that is not allowed`), []);
      }
      cb(null, list.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  }
}
