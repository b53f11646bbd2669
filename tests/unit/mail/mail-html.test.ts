import { describe, expect, it } from 'vitest';
import { htmlToText, mailPreview } from '../../../src/core/mail/mail-html';

// The sanitiser itself (src/shared/mail-html.ts) is tested in tests/unit/shared/mail-html.test.ts
// (hooks, CSS cleaning, the frame document) and in real Chromium by tests/e2e/mail.e2e.ts.

describe('core-side text of HTML (previews only)', () => {
  it('drops scripts and styles, keeps text and line structure', () => {
    const html = '<html><head><style>p{}</style><script>alert("x")</script></head><body><p>Kính gửi&nbsp;chị Lan</p><div>Số 7816/VPCP-TTĐT &amp; 45/KH-UBND</div></body></html>';
    expect(htmlToText(html)).toBe('Kính gửi chị Lan\nSố 7816/VPCP-TTĐT & 45/KH-UBND');
    expect(mailPreview({ text: null, html }, 20)).toBe('Kính gửi chị Lan Số…');
    expect(mailPreview({ text: '  Dạ\n em cảm ơn  ' })).toBe('Dạ em cảm ơn');
    expect(mailPreview({})).toBeNull();
  });
});
