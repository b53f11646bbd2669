import DOMPurify from 'dompurify';
import { describe, expect, it } from 'vitest';
import { htmlToText, mailPreview } from '../../../src/core/mail/mail-html';
import {
  BLOCKED_SRC_ATTR, MAIL_ALLOWED_URI_REGEXP, MAIL_IFRAME_SANDBOX, isRemoteUrl, mailCsp, mailHooks, mailPurifyConfig, sanitizeMailHtml,
  srcdocFor, stripRemoteCssUrls, type MailAttributeEvent, type MailElementLike, type PurifyLike,
} from '../../../src/shared/mail-html';

// The real DOMPurify instance must fit what the renderer passes (checked by tsc).
const _fits: PurifyLike = DOMPurify;

class FakeElement implements MailElementLike {
  readonly attrs = new Map<string, string>();
  constructor(readonly tagName: string, attrs: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(attrs)) this.attrs.set(k, v);
  }
  hasAttribute(name: string) { return this.attrs.has(name); }
  getAttribute(name: string) { return this.attrs.get(name) ?? null; }
  setAttribute(name: string, value: string) { this.attrs.set(name, value); }
  removeAttribute(name: string) { this.attrs.delete(name); }
}

describe('DOMPurify configuration', () => {
  const cfg = mailPurifyConfig();
  it('forbids active and document-level elements and event handlers', () => {
    for (const tag of ['script', 'style', 'iframe', 'object', 'embed', 'form', 'input', 'meta', 'link', 'base']) expect(cfg.FORBID_TAGS).toContain(tag);
    expect(cfg.FORBID_ATTR).toEqual(expect.arrayContaining(['onerror', 'onload', 'onclick', 'srcset']));
    expect(cfg).toMatchObject({ ALLOW_DATA_ATTR: false, ALLOW_UNKNOWN_PROTOCOLS: false, WHOLE_DOCUMENT: false, RETURN_TRUSTED_TYPE: false });
  });
  it('allows only https, mailto, cid and data:image URLs', () => {
    for (const ok of ['https://a.vn/x', 'mailto:a@b.vn', 'cid:part1@x', 'data:image/png;base64,AAA', 'HTTPS://A.VN']) expect(MAIL_ALLOWED_URI_REGEXP.test(ok)).toBe(true);
    for (const bad of ['http://a.vn', 'javascript:alert(1)', 'data:text/html,<script>', 'vbscript:x', 'file:///etc/passwd', '//a.vn/x', 'ftp://a']) expect(MAIL_ALLOWED_URI_REGEXP.test(bad)).toBe(false);
  });
});

describe('hooks', () => {
  it('withhold remote images as data-blocked-src unless allowed, and strip remote CSS urls', () => {
    const counter = { blocked: 0 };
    const { after } = mailHooks(false, counter);
    const img = new FakeElement('IMG', { src: 'https://track.example.vn/open.gif' });
    after(img);
    expect(img.getAttribute('src')).toBeNull();
    expect(img.getAttribute(BLOCKED_SRC_ATTR)).toBe('https://track.example.vn/open.gif');
    const inline = new FakeElement('IMG', { src: 'cid:logo@x' });
    after(inline);
    expect(inline.getAttribute('src')).toBe('cid:logo@x');
    const p = new FakeElement('P', { style: 'color:red;background:url( "https://t.vn/bg.png")' });
    after(p);
    expect(p.getAttribute('style')).toBe('color:red;background:none');
    expect(counter.blocked).toBe(2);

    const allowed = mailHooks(true, { blocked: 0 });
    const img2 = new FakeElement('IMG', { src: 'https://a.vn/x.png' });
    allowed.after(img2);
    expect(img2.getAttribute('src')).toBe('https://a.vn/x.png');
  });
  it('open links in a new context without opener or referrer, and drop every on* attribute', () => {
    const { after, upon } = mailHooks(false, { blocked: 0 });
    const a = new FakeElement('A', { href: 'https://vanban.hanoi.gov.vn' });
    after(a);
    expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    expect(a.getAttribute('target')).toBe('_blank');
    const ev: MailAttributeEvent = { attrName: 'onpointerrawupdate', attrValue: 'x()', keepAttr: true };
    upon(new FakeElement('DIV'), ev);
    expect(ev.keepAttr).toBe(false);
    const ok: MailAttributeEvent = { attrName: 'title', attrValue: 'x', keepAttr: true };
    upon(new FakeElement('DIV'), ok);
    expect(ok.keepAttr).toBe(true);
  });
  it('sanitizeMailHtml registers the hooks for one call only and passes the config', () => {
    const calls: string[] = [];
    const fake: PurifyLike = {
      sanitize: (html, config) => { calls.push(`sanitize:${config.FORBID_TAGS.includes('script')}`); return html.replace(/<script[\s\S]*?<\/script>/g, ''); },
      addHook: (name: string) => { calls.push(`add:${name}`); },
      removeHook: (name) => { calls.push(`remove:${name}`); return undefined; },
    };
    expect(sanitizeMailHtml(fake, '<p>a</p><script>x</script>')).toEqual({ html: '<p>a</p>', blockedRemoteImages: 0 });
    expect(calls).toEqual(['add:uponSanitizeAttribute', 'add:afterSanitizeAttributes', 'sanitize:true', 'remove:afterSanitizeAttributes', 'remove:uponSanitizeAttribute']);
  });
  it('knows which URLs reach the network', () => {
    expect(isRemoteUrl('https://a')).toBe(true);
    expect(isRemoteUrl(' //a/b')).toBe(true);
    expect(isRemoteUrl('http://a')).toBe(true);
    expect(isRemoteUrl('cid:x')).toBe(false);
    expect(stripRemoteCssUrls("url('data:image/png;base64,AA')")).toBe("url('data:image/png;base64,AA')");
  });
});

describe('the sandboxed frame document', () => {
  it('has a strict CSP first, remote images only when allowed, no scripts', () => {
    expect(mailCsp()).toBe("default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
    expect(mailCsp({ allowRemoteImages: true })).toContain('img-src data: cid: https:');
    const doc = srcdocFor('<p>Xin chào</p>');
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('<p>Xin chào</p>'));
    expect(doc).toContain(`content="default-src 'none'; img-src data: cid:;`);
    expect(doc).not.toMatch(/script-src|unsafe-eval|https:/);
    expect(doc).toContain('<meta name="referrer" content="no-referrer">');
    expect(MAIL_IFRAME_SANDBOX).toBe('');
  });
});

describe('core-side text of HTML (previews only)', () => {
  it('drops scripts and styles, keeps text and line structure', () => {
    const html = '<html><head><style>p{}</style><script>alert("x")</script></head><body><p>Kính gửi&nbsp;chị Lan</p><div>Số 7816/VPCP-TTĐT &amp; 45/KH-UBND</div></body></html>';
    expect(htmlToText(html)).toBe('Kính gửi chị Lan\nSố 7816/VPCP-TTĐT & 45/KH-UBND');
    expect(mailPreview({ text: null, html }, 20)).toBe('Kính gửi chị Lan Số…');
    expect(mailPreview({ text: '  Dạ\n em cảm ơn  ' })).toBe('Dạ em cảm ơn');
    expect(mailPreview({})).toBeNull();
  });
});
