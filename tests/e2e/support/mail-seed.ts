/**
 * Raw MIME of the mails the mail e2e spec delivers to the official's real Dovecot mailbox: a hostile
 * HTML mail (everything that must never run or load), a Vietnamese mail in windows-1258 with RFC 2047
 * headers, a mail citing a real dossier of the sandbox, and one with a PDF attachment.
 */
import { encodeWord, toCp1258 } from '../../integration/mail/mail-fixtures';

function wrap64(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

function headers(h: { from: string; to: string; subject: string; messageId: string; date?: Date }): string[] {
  return [
    `From: ${h.from}`,
    `To: ${h.to}`,
    `Subject: ${encodeWord(h.subject)}`,
    `Date: ${(h.date ?? new Date()).toUTCString()}`,
    `Message-ID: <${h.messageId}>`,
    'MIME-Version: 1.0',
  ];
}

export interface SeedMail {
  raw: string;
  subject: string;
  messageId: string;
}

/** Everything a mail can try: scripts, handlers, frames, forms, remote images/styles, tricky links. */
export function hostileMail(to: string, recorder: string, tag: string): SeedMail {
  const subject = `Thông báo khẩn về hồ sơ chứng thực ${tag}`;
  const messageId = `hostile-${tag}@badinh.hanoi.gov.vn`;
  const html = `<!DOCTYPE html><html><head>
<meta http-equiv="refresh" content="0;url=${recorder}/refresh">
<base href="${recorder}/base/">
<link rel="stylesheet" href="${recorder}/link.css">
<style>body { background: url(${recorder}/style-sheet.png) } @import url(${recorder}/import.css);</style>
<script>parent.document.title = 'pwned'; fetch('${recorder}/script');</script>
</head><body onload="parent.document.title='pwned-onload'">
<h2 id="heading" style="color: rgb(200, 16, 46); font-size: 22px; background-image: url('${recorder}/css-background.png')">Thông báo khẩn</h2>
<p id="styled" class="lead" style="color: rgb(0, 128, 0); font-weight: 700; position: fixed; top: 0; width: expression(alert(1))">Đoạn văn có định dạng riêng của thư.</p>
<table id="layout" width="480" border="1" cellpadding="4" background="${recorder}/table.png"><tr><td align="center" style="background-color: rgb(255, 240, 200)">Ô bảng</td></tr></table>
<img id="remote-logo" src="${recorder}/remote-logo.png" alt="logo" width="16" height="16">
<img src="${recorder}/tracking.png?u=lan" width="1" height="1">
<img src="x" onerror="parent.document.title='pwned-onerror'; fetch('${recorder}/onerror')">
<iframe src="${recorder}/iframe"></iframe>
<form action="${recorder}/form" method="post"><input name="password" value="x"><button formaction="${recorder}/button">Gửi</button></form>
<svg><image href="${recorder}/svg.png"/><script>parent.document.title='pwned-svg'</script></svg>
<video poster="${recorder}/poster.png" src="${recorder}/video.mp4"></video>
<object data="${recorder}/object"></object><embed src="${recorder}/embed">
<p><a href="javascript:parent.document.title='pwned-link'">Bấm vào đây để xác nhận</a></p>
<p><a href="https://dichvucong-gov.vn.login.example/xac-thuc">https://dichvucong.gov.vn</a></p>
<p><a href="https://dichvucong.gov.vn/p/home/dvc-trang-chu.html" target="_top" ping="${recorder}/ping">Cổng Dịch vụ công quốc gia</a></p>
<div data-cw-style="position: fixed" onclick="parent.document.title='pwned-click'">Kết thúc thư.</div>
</body></html>`;
  const raw = [
    ...headers({ from: `${encodeWord('Phòng Tư pháp quận Ba Đình')} <tuphap@badinh.hanoi.gov.vn>`, to, subject, messageId }),
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(Buffer.from(html, 'utf8')),
    '',
  ].join('\r\n');
  return { raw, subject, messageId };
}

/** An older Vietnamese client: windows-1258 plain text, RFC 2047 sender name and subject. */
export function vietnameseMail(to: string, tag: string): SeedMail & { body: string } {
  const subject = `Đề nghị bổ sung hồ sơ chứng thực quý III ${tag}`;
  const messageId = `cp1258-${tag}@badinh.hanoi.gov.vn`;
  const body =
    'Kính gửi chị Lan,\n\nPhòng Tư pháp đề nghị bổ sung bản sao giấy khai sinh và sổ hộ khẩu.\n' +
    'Thông tin chi tiết xem tại https://dichvucong.gov.vn/p/home/dvc-trang-chu.html.\n\nTrân trọng,\nTrần Thị Mai\n';
  const raw = [
    ...headers({ from: `${encodeWord('Trần Thị Mai')} <mai.tt@badinh.hanoi.gov.vn>`, to, subject, messageId }),
    'Content-Type: text/plain; charset=windows-1258',
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(toCp1258(body.replace(/\n/g, '\r\n'))),
    '',
  ].join('\r\n');
  return { raw, subject, messageId, body };
}

/** A citizen's question citing a real dossier code of the sandbox (linked both ways by the core). */
export function dossierMail(from: string, to: string, dossierCode: string, tag: string): SeedMail {
  const subject = `Hỏi tiến độ hồ sơ ${dossierCode} ${tag}`;
  const messageId = `dossier-${tag}@example.test`;
  const body = `Kính gửi Bộ phận Một cửa,\n\nTôi nộp hồ sơ mã ${dossierCode}, xin hỏi bao giờ có kết quả ạ?\n\nNguyễn Văn Hùng\n`;
  const raw = [
    ...headers({ from: `${encodeWord('Nguyễn Văn Hùng')} <${from}>`, to, subject, messageId }),
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(Buffer.from(body.replace(/\n/g, '\r\n'), 'utf8')),
    '',
  ].join('\r\n');
  return { raw, subject, messageId };
}

/** Deterministic bytes that look like a small PDF. */
export function pdfBytes(size: number, seed = 7): Buffer {
  const head = Buffer.from('%PDF-1.4\n% Báo cáo\n', 'utf8');
  const out = Buffer.alloc(size);
  head.copy(out);
  let x = seed;
  for (let i = head.length; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x & 0xff;
  }
  return out;
}

export const ATTACHMENT_NAME = 'Báo cáo tổng hợp tháng 11.pdf';

/** A mail with a PDF attachment whose name is Vietnamese (RFC 2047 in the parameters, as common clients send it). */
export function attachmentMail(to: string, tag: string, bytes: Buffer): SeedMail {
  const subject = `Gửi báo cáo tổng hợp tháng 11 ${tag}`;
  const messageId = `attachment-${tag}@ngocha.hanoi.gov.vn`;
  const boundary = `----=_cw_${tag.replace(/\W/g, '')}`;
  const encodedName = encodeWord(ATTACHMENT_NAME);
  const raw = [
    ...headers({ from: `${encodeWord('Văn phòng UBND phường')} <vanphong@ngocha.hanoi.gov.vn>`, to, subject, messageId }),
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(Buffer.from('Văn phòng gửi chị báo cáo tổng hợp tháng 11 (tệp đính kèm).\r\n', 'utf8')),
    `--${boundary}`,
    `Content-Type: application/pdf; name="${encodedName}"`,
    `Content-Disposition: attachment; filename="${encodedName}"`,
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(bytes),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { raw, subject, messageId };
}

/** A 1×1 PNG, for the inline (cid:) image. */
const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/**
 * Known sanitiser bypasses (mutation XSS, encoded schemes, legacy attributes) in multipart/related,
 * with an inline logo referenced as cid: (shown from the mail itself, no request).
 */
export function vectorsMail(to: string, recorder: string, tag: string): SeedMail {
  const subject = `Công văn kèm logo đơn vị ${tag}`;
  const messageId = `vectors-${tag}@badinh.hanoi.gov.vn`;
  const boundary = `----=_cw_rel_${tag.replace(/\W/g, '')}`;
  const pwn = (what: string): string => `parent.document.title='pwned-${what}';fetch('${recorder}/${what}')`;
  const html = `<html><body background="${recorder}/body-background">
<p><img id="logo" src="cid:logo@ngocha.hanoi.gov.vn" alt="Logo" width="1" height="1"></p>
<a href="&#x6A;avascript:${pwn('entity-js')}">Liên kết mã hóa</a>
<a href=" jav&#x09;ascript:${pwn('tab-js')}">Liên kết có tab</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Liên kết data</a>
<img src="${recorder}/with-srcset.png" srcset="${recorder}/srcset.png 2x">
<img src="//${recorder.replace(/^http:\/\//, '')}/protocol-relative.png">
<div style="background: url(&quot;${recorder}/entity-url.png&quot;)">Nền mã hóa thực thể</div>
<p style="background-image: \\75 rl(${recorder}/css-escape.png)">Nền mã thoát CSS</p>
<table><tr><td background="${recorder}/td-background.png">Ô</td></tr></table>
<input type="image" src="${recorder}/input-image.png">
<link rel="prefetch" href="${recorder}/prefetch">
<iframe srcdoc="<script>${pwn('srcdoc')}</script>"></iframe>
<object data="data:text/html,<script>${pwn('object')}</script>"></object>
<details open ontoggle="${pwn('toggle')}"><summary>Chi tiết</summary>Nội dung</details>
<video><source onerror="${pwn('source')}"></video>
<p>Hết thư.</p>
<!-- Mutation-XSS shapes last: once parsed, they may swallow what follows into removed subtrees. -->
<noscript><p title="</noscript><img src=x onerror=${pwn('noscript')}>"></p></noscript>
<svg></p><style><a id="</style><img src=1 onerror=${pwn('svg-style')}>"></a></style></svg>
<math><mtext><table><mglyph><style><img src=x onerror=${pwn('mglyph')}></style></mglyph></table></mtext></math>
<form><math><mtext></form><form><mglyph><style></math><img src onerror=${pwn('form-math')}></style></mglyph></form>
</body></html>`;
  const raw = [
    ...headers({ from: `${encodeWord('Phòng Tư pháp quận Ba Đình')} <tuphap@badinh.hanoi.gov.vn>`, to, subject, messageId }),
    `Content-Type: multipart/related; boundary="${boundary}"; type="text/html"`,
    '',
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(Buffer.from(html, 'utf8')),
    `--${boundary}`,
    'Content-Type: image/png',
    'Content-Transfer-Encoding: base64',
    'Content-ID: <logo@ngocha.hanoi.gov.vn>',
    'Content-Disposition: inline; filename="logo.png"',
    '',
    wrap64(PIXEL_PNG),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { raw, subject, messageId };
}
