/**
 * The mail sanitiser's own logic with fake elements (no DOM here): the hooks, the inline-CSS
 * cleaner, the frame document, the external-link rule and safe file names. The same code runs
 * against real DOMPurify in Chromium in tests/e2e/mail.e2e.ts (hostile vectors and the real app).
 */
import DOMPurify from 'dompurify';
import { describe, expect, it } from 'vitest';
import {
  BLOCKED_SRC_ATTR, LINK_ATTR, MAIL_ALLOWED_URI_REGEXP, MAIL_IFRAME_SANDBOX, STYLE_ATTR, cleanInlineStyle, contentIdOf, isDataImageUri,
  isOpenableExternalUrl, isRemoteUrl, mailCsp, mailHooks, mailPurifyConfig, neutralizeForParsing, safeAttachmentName, sanitizeMailHtml, srcdocFor, stripRemoteCssUrls,
  type MailAttributeEvent, type MailElementLike, type PurifyLike, type SanitizeOptions,
} from '../../../src/shared/mail-html';

// The real DOMPurify instance must fit what the renderer passes (checked by tsc).
const _fits: PurifyLike = DOMPurify;

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

class FakeElement implements MailElementLike {
  readonly attrs = new Map<string, string>();
  constructor(readonly tagName: string, attrs: Record<string, string> = {}, readonly textContent: string | null = null) {
    for (const [k, v] of Object.entries(attrs)) this.attrs.set(k, v);
  }
  hasAttribute(name: string) { return this.attrs.has(name); }
  getAttribute(name: string) { return this.attrs.get(name) ?? null; }
  setAttribute(name: string, value: string) { this.attrs.set(name, value); }
  removeAttribute(name: string) { this.attrs.delete(name); }
}

/** What DOMPurify does for one element: the upon hook per attribute (dropping refused ones), then after. */
function run(el: FakeElement, options: SanitizeOptions = {}) {
  const state = { blocked: 0, failed: 0, remoteUrls: [] as string[], removedCssUrls: 0, links: [] as Array<{ n: number; href: string; node: MailElementLike }> };
  const { upon, after } = mailHooks(options, state);
  for (const [name, value] of [...el.attrs]) {
    const ev: MailAttributeEvent = { attrName: name, attrValue: value, keepAttr: true };
    upon(el, ev);
    if (!ev.keepAttr) el.removeAttribute(name);
  }
  after(el);
  return state;
}

describe('DOMPurify configuration', () => {
  const cfg = mailPurifyConfig();
  it('forbids active and document-level elements, SVG/MathML and event handlers', () => {
    for (const tag of ['script', 'style', 'iframe', 'object', 'embed', 'form', 'input', 'meta', 'link', 'base', 'video', 'audio', 'template']) expect(cfg.FORBID_TAGS).toContain(tag);
    expect(cfg.FORBID_ATTR).toEqual(expect.arrayContaining(['onerror', 'onload', 'onclick', 'srcset', 'background', 'target', 'ping']));
    expect(cfg).toMatchObject({ USE_PROFILES: { html: true }, ALLOW_DATA_ATTR: false, ALLOW_UNKNOWN_PROTOCOLS: false, WHOLE_DOCUMENT: false, RETURN_TRUSTED_TYPE: false });
  });
  it('keeps ordinary attribute values (width, align…) and refuses script-like URLs in the others', () => {
    for (const ok of ['600', 'center', '#f0f0f0', '100%', 'https://a.vn/x', 'mailto:a@b.vn', 'cid:part1@x', PNG, 'left top']) expect(MAIL_ALLOWED_URI_REGEXP.test(ok), ok).toBe(true);
    for (const bad of ['javascript:alert(1)', 'data:text/html,<script>', 'vbscript:x', 'file:///etc/passwd', 'ftp://a', 'http://a.vn']) expect(MAIL_ALLOWED_URI_REGEXP.test(bad), bad).toBe(false);
  });
});

describe('hooks', () => {
  it('move cleaned inline styles to data-cw-style; the style attribute never stays', () => {
    const p = new FakeElement('P', { style: 'color: red; background: #fff url( "https://t.vn/bg.png") no-repeat; position: fixed; width: expression(alert(1))' });
    const state = run(p);
    expect(p.getAttribute('style')).toBeNull();
    expect(p.getAttribute(STYLE_ATTR)).toBe('color: red; background: #fff none no-repeat');
    expect(state.removedCssUrls).toBe(1);
    const empty = new FakeElement('DIV', { style: 'behavior: url(x.htc)' });
    run(empty);
    expect(empty.hasAttribute(STYLE_ATTR)).toBe(false);
  });
  it('drop attacker-supplied data-cw-* and withheld-image attributes and every on* handler', () => {
    const d = new FakeElement('DIV', { [STYLE_ATTR]: 'position: fixed', [LINK_ATTR]: '9', [BLOCKED_SRC_ATTR]: 'https://x', onpointerrawupdate: 'x()', title: 'ok' });
    run(d);
    expect([...d.attrs.keys()]).toEqual(['title']);
  });
  it('withhold remote images (counted, URLs listed once), inline cid: parts, keep data: images, drop the rest', () => {
    const opts: SanitizeOptions = { inlineImages: { 'logo@x': PNG } };
    const remote = new FakeElement('IMG', { src: 'https://track.example.vn/open.gif?u=lan' });
    const again = new FakeElement('IMG', { src: 'https://track.example.vn/open.gif?u=lan' });
    const cid = new FakeElement('IMG', { src: 'cid:logo@x' });
    const missingCid = new FakeElement('IMG', { src: 'cid:other@x' });
    const data = new FakeElement('IMG', { src: PNG });
    const relative = new FakeElement('IMG', { src: '/api/queue.list' });
    const js = new FakeElement('IMG', { src: 'javascript:alert(1)' });
    const svg = new FakeElement('IMG', { src: 'data:image/svg+xml,<svg onload=alert(1)>' });
    const state = { blocked: 0, failed: 0, remoteUrls: [] as string[], removedCssUrls: 0, links: [] as Array<{ n: number; href: string; node: MailElementLike }> };
    const { upon, after } = mailHooks(opts, state);
    for (const el of [remote, again, cid, missingCid, data, relative, js, svg]) {
      const ev: MailAttributeEvent = { attrName: 'src', attrValue: el.getAttribute('src') ?? '', keepAttr: true };
      upon(el, ev);
      if (!ev.keepAttr) el.removeAttribute('src');
      after(el);
    }
    expect(remote.getAttribute('src')).toBeNull();
    expect(remote.getAttribute(BLOCKED_SRC_ATTR)).toBe('https://track.example.vn/open.gif?u=lan');
    expect(state.blocked).toBe(2);
    expect(state.remoteUrls).toEqual(['https://track.example.vn/open.gif?u=lan']);
    expect(cid.getAttribute('src')).toBe(PNG);
    expect(missingCid.getAttribute('src')).toBeNull();
    expect(data.getAttribute('src')).toBe(PNG);
    for (const el of [relative, js, svg]) expect(el.getAttribute('src')).toBeNull();
  });
  it('substitute remote images the core fetched; count the ones it could not fetch', () => {
    const ok = new FakeElement('IMG', { src: 'https://a.vn/x.png' });
    const failed = new FakeElement('IMG', { src: 'https://a.vn/y.png' });
    const opts = { remoteImages: { 'https://a.vn/x.png': PNG, 'https://a.vn/y.png': null } };
    const s1 = run(ok, opts);
    const s2 = run(failed, opts);
    expect(ok.getAttribute('src')).toBe(PNG);
    expect(s1.blocked).toBe(0);
    expect(failed.getAttribute(BLOCKED_SRC_ATTR)).toBe('https://a.vn/y.png');
    expect(s2).toMatchObject({ blocked: 0, failed: 1 });
  });
  it('neutralise links: no href, numbered, the destination in the title', () => {
    const a = new FakeElement('A', { href: ' https://dichvucong-gov.vn.example/login ', title: 'Cổng dịch vụ công' }, 'https://dichvucong.gov.vn');
    const state = run(a);
    expect(a.getAttribute('href')).toBeNull();
    expect(a.getAttribute(LINK_ATTR)).toBe('1');
    expect(a.getAttribute('title')).toBe('[1] https://dichvucong-gov.vn.example/login');
    expect(state.links.map((l) => [l.n, l.href])).toEqual([[1, 'https://dichvucong-gov.vn.example/login']]);
    const js = new FakeElement('A', { href: 'javascript:alert(1)' });
    run(js);
    expect(js.getAttribute('href')).toBeNull();
  });
  it('sanitizeMailHtml registers the hooks for one call only and reports links with their final text', () => {
    const calls: string[] = [];
    let captured: { upon?: (n: MailElementLike, e: MailAttributeEvent) => void; after?: (n: MailElementLike) => void } = {};
    const fake: PurifyLike = {
      sanitize: (html, config) => {
        calls.push(`sanitize:${config.FORBID_TAGS.includes('script')}`);
        const a = new FakeElement('A', { href: 'https://a.vn' }, '  Cổng   thông tin ');
        const ev: MailAttributeEvent = { attrName: 'href', attrValue: 'https://a.vn', keepAttr: true };
        captured.upon?.(a, ev);
        captured.after?.(a);
        return html.replace(/<script[\s\S]*?<\/script>/g, '');
      },
      addHook: (name: string, hook: unknown) => {
        calls.push(`add:${name}`);
        if (name === 'uponSanitizeAttribute') captured = { ...captured, upon: hook as (n: MailElementLike, e: MailAttributeEvent) => void };
        else captured = { ...captured, after: hook as (n: MailElementLike) => void };
      },
      removeHook: (name) => {
        calls.push(`remove:${name}`);
        return undefined;
      },
    };
    const out = sanitizeMailHtml(fake, '<p>a</p><script>x</script>');
    expect(out).toEqual({ html: '<p>a</p>', blockedRemoteImages: 0, remoteImageUrls: [], removedCssUrls: 0, failedRemoteImages: 0, links: [{ n: 1, href: 'https://a.vn', text: 'Cổng thông tin' }] });
    expect(calls).toEqual(['add:uponSanitizeAttribute', 'add:afterSanitizeAttributes', 'sanitize:true', 'remove:afterSanitizeAttributes', 'remove:uponSanitizeAttribute']);
  });
  it('removes its hooks even when DOMPurify throws', () => {
    const removed: string[] = [];
    const fake: PurifyLike = {
      sanitize: () => {
        throw new Error('boom');
      },
      addHook: () => undefined,
      removeHook: (name) => {
        removed.push(name);
        return undefined;
      },
    };
    expect(() => sanitizeMailHtml(fake, '<p>')).toThrow('boom');
    expect(removed).toHaveLength(2);
  });
});

describe('before the browser parses the mail', () => {
  it('renames style and on* attributes and <base>/<meta>, so parsing trips no CSP check', () => {
    expect(neutralizeForParsing('<P STYLE="color:red" OnClick=\'x()\' title="a>b style=c">t</P>')).toBe(
      '<P data-cw-raw-style="color:red" data-cw-raw-onclick=\'x()\' title="a>b style=c">t</P>',
    );
    expect(neutralizeForParsing('<base href="http://x/"><meta http-equiv=refresh content="0;url=x"><img src=x onerror=alert(1)/>')).toBe(
      '<cw-raw-base href="http://x/"><cw-raw-meta http-equiv=refresh content="0;url=x"><img src=x data-cw-raw-onerror=alert(1)/>',
    );
  });
  it('leaves text, comments and raw-text element content alone; drops style sheets', () => {
    const text = 'a < b and style="x" <!-- <p style="c"> --> <script>var s = "<p style=x>";</script><textarea><b onclick=1></textarea><p>style=1</p>';
    expect(neutralizeForParsing(text)).toBe(text);
    expect(neutralizeForParsing('<p>a</p><STYLE type="text/css">p { color: red } a<b</style ><p>b</p><style>x')).toBe('<p>a</p><p>b</p>');
    expect(neutralizeForParsing('<div style="a" ')).toBe('<div data-cw-raw-style="a" ');
    expect(neutralizeForParsing('<p style=\'unterminated')).toBe('<p data-cw-raw-style=\'unterminated');
  });
  it('the hooks treat the renamed style like style and drop every other renamed attribute', () => {
    const p = new FakeElement('P', { 'data-cw-raw-style': 'color: red', 'data-cw-raw-onclick': 'x()' });
    run(p);
    expect([...p.attrs]).toEqual([[STYLE_ATTR, 'color: red']]);
  });
});

describe('inline CSS', () => {
  it('keeps ordinary declarations and data: images, drops code, escapes, fixed positioning and foreign URLs', () => {
    expect(cleanInlineStyle('font-family: "Times New Roman"; COLOR:#333 ; margin:0 0 8px').css).toBe('font-family: "Times New Roman"; color: #333; margin: 0 0 8px');
    expect(cleanInlineStyle(`background-image: url('${PNG}')`).css).toBe(`background-image: url("${PNG}")`);
    expect(cleanInlineStyle('background: url(cid:bg@x)', { 'bg@x': PNG }).css).toBe(`background: url("${PNG}")`);
    expect(cleanInlineStyle('background: url(//t.vn/a.png)')).toEqual({ css: 'background: none', removedRemoteUrls: 1 });
    expect(cleanInlineStyle('background: url(javascript:alert(1))').css).toBe('');
    expect(cleanInlineStyle('background: url(/local.png)').css).toBe('background: none');
    expect(cleanInlineStyle('c\\olor: red; width: 10px').css).toBe('width: 10px');
    expect(cleanInlineStyle('background: u\\72 l(https://t.vn)').css).toBe('');
    expect(cleanInlineStyle('/* x */ color: red /* ; position: fixed */').css).toBe('color: red');
    expect(cleanInlineStyle('position: FIXED; top: 0').css).toBe('top: 0');
    expect(cleanInlineStyle('position: absolute').css).toBe('position: absolute');
    expect(cleanInlineStyle('-moz-binding: url(x.xml#a); behavior: url(a.htc)').css).toBe('');
    expect(cleanInlineStyle('width: expression(alert(1)); height: 1px').css).toBe('height: 1px');
    expect(cleanInlineStyle('background-image: image-set("https://t.vn/a.png" 1x)').css).toBe('');
    expect(cleanInlineStyle('content: "</style><script>"').css).toBe('');
    expect(cleanInlineStyle('font-family: "a;b"; color: red').css).toBe('font-family: "a;b"; color: red');
    expect(cleanInlineStyle('not a declaration; 1x: 2; color:').css).toBe('');
  });
  it('strips remote url() for callers that only need that', () => {
    expect(stripRemoteCssUrls("url('data:image/png;base64,AA')")).toBe("url('data:image/png;base64,AA')");
    expect(stripRemoteCssUrls('a url(https://x/y) b')).toBe('a none b');
  });
});

describe('URLs', () => {
  it('knows which URLs reach the network, which are cid: references and which images are inline data', () => {
    expect(isRemoteUrl('https://a')).toBe(true);
    expect(isRemoteUrl(' //a/b')).toBe(true);
    expect(isRemoteUrl('http://a')).toBe(true);
    expect(isRemoteUrl('cid:x')).toBe(false);
    expect(contentIdOf('cid:<part1.abc@example.vn>')).toBe('part1.abc@example.vn');
    expect(contentIdOf('CID:logo%40x')).toBe('logo@x');
    expect(contentIdOf('https://x')).toBeNull();
    expect(isDataImageUri(PNG)).toBe(true);
    expect(isDataImageUri('data:image/svg+xml;base64,PHN2Zz4=')).toBe(false);
    expect(isDataImageUri('data:text/html;base64,PHA+')).toBe(false);
  });
  it('lets only http(s) to a named host and single-address mailto leave the app', () => {
    for (const ok of ['https://dichvucong.gov.vn/p', 'http://hanoi.gov.vn', 'mailto:vanthu@hanoi.gov.vn', 'https://xn--b-rhb.vn/']) expect(isOpenableExternalUrl(ok), ok).toBe(true);
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'https://user:pw@gov.vn/', 'https://10.0.0.1/', 'http://localhost/', 'https://[::1]/', 'mailto:a@b.vn,c@d.vn', 'data:text/html,x', 'not a url', 'ftp://a.vn'])
      expect(isOpenableExternalUrl(bad), bad).toBe(false);
  });
});

describe('the sandboxed frame document', () => {
  it('puts a CSP that allows nothing but data: images before the content; the frame never runs scripts', () => {
    expect(mailCsp()).toBe("default-src 'none'; img-src data:; style-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'");
    const doc = srcdocFor('<p>Xin chào</p>');
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('<p>Xin chào</p>'));
    expect(doc).not.toMatch(/script-src|unsafe-|https:/);
    expect(doc).toContain('<meta name="referrer" content="no-referrer">');
    expect(doc).toContain('<html lang="vi">');
    expect(srcdocFor('', 'en"><script>')).toContain('lang="en&quot;&gt;&lt;script&gt;"');
    expect(MAIL_IFRAME_SANDBOX).toBe('allow-same-origin');
    expect(MAIL_IFRAME_SANDBOX).not.toMatch(/allow-scripts|allow-popups|allow-forms|allow-top-navigation/);
  });
});

describe('attachment file names', () => {
  it('keeps Vietnamese names, drops folders, control and reserved characters', () => {
    expect(safeAttachmentName('Báo cáo quý III.pdf')).toBe('Báo cáo quý III.pdf');
    expect(safeAttachmentName('../../etc/passwd')).toBe('passwd');
    expect(safeAttachmentName('C:\\Windows\\evil.exe')).toBe('evil.exe');
    expect(safeAttachmentName('a<b>:"c|?*.txt')).toBe('a_b___c___.txt');
    expect(safeAttachmentName('tên\u0000tệp\u001f.docx')).toBe('tên_tệp_.docx');
    expect(safeAttachmentName('  ..hidden. ')).toBe('hidden');
    expect(safeAttachmentName('CON.txt')).toBe('_CON.txt');
    expect(safeAttachmentName(null)).toBe('tep-dinh-kem');
    expect(safeAttachmentName('...')).toBe('tep-dinh-kem');
    const long = safeAttachmentName(`${'a'.repeat(300)}.pdf`);
    expect(long).toHaveLength(200);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});
