/**
 * Raw MIME for the mail-body tests (issue #4): a realistic nested message (alternative text/HTML,
 * an inline image by Content-ID, remote images, a PDF with a Vietnamese name, a forwarded message, a
 * CSV), bodies in the charsets Vietnamese mail arrives in, a mail citing a dossier deep in its body,
 * and a big attachment with a Vietnamese file name written to disk in chunks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import iconv from 'iconv-lite';
import { encodeWord, toCp1258 } from './mail-fixtures';

export const VN_TEXT = 'Kính gửi đồng chí Lan: đề nghị bổ sung hồ sơ chứng thực; Ưu tiên xử lý trước ngày 25/11. Trân trọng!';
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function wrap64(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

export function qp(bytes: Buffer): string {
  let out = '';
  let line = '';
  for (const b of bytes) {
    const ch = (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line.length + ch.length > 72) {
      out += `${line}=\r\n`;
      line = '';
    }
    line += ch;
  }
  return out + line;
}

function head(o: { subject: string; messageId: string; from?: string; domain: string; extra?: string[] }): string[] {
  return [
    `From: ${encodeWord('Văn phòng Sở Tư pháp')} <${o.from ?? 'vanthu@sotuphap.example.com'}>`,
    `To: ${encodeWord('Nguyễn Thị Lan')} <lan@${o.domain}>`,
    `Subject: ${encodeWord(o.subject)}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${o.messageId}>`,
    'MIME-Version: 1.0',
    ...(o.extra ?? []),
  ];
}

export interface RichMail {
  raw: string;
  subject: string;
  messageId: string;
  /** Decoded bytes of each attachment, in the order mail.body lists them. */
  attachments: { filename: string | null; contentType: string; bytes: Buffer; inline: boolean; contentId: string | null }[];
  remoteUrls: { allowed: string; privateLiteral: string; linkLocal: string };
}

/** multipart/mixed { related { alternative { text, html }, png }, pdf, message/rfc822, csv } */
export function richMail(domain: string, imageBase: string): RichMail {
  const messageId = `rich.${Date.now()}@sotuphap.example.com`;
  const subject = 'Gửi tài liệu hướng dẫn chứng thực (có ảnh)';
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(70_000)]);
  const inner = ['Subject: Thư chuyển tiếp', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', 'Nội dung thư gốc.', ''].join('\r\n');
  const csv = iconv.encode('Họ tên,Số CCCD\r\nTrần Văn Nam,001084000999\r\n', 'utf8');
  const remoteUrls = {
    allowed: `${imageBase}/anh-minh-hoa.png`,
    privateLiteral: 'http://10.0.0.7/tracker.png',
    linkLocal: 'http://169.254.169.254/latest/meta-data',
  };
  const html =
    `<html><body><p>${VN_TEXT}</p><p><img src="cid:logo@ngocha" alt="logo"> <img src="${remoteUrls.allowed}" alt="ảnh">` +
    `<img src="${remoteUrls.privateLiteral}"></p><div style="background:url(&quot;${remoteUrls.linkLocal}&quot;)">x</div></body></html>`;
  const pdfName = 'Công văn số 12/STP-HCTP.pdf'.replace('/', '-');
  const raw = [
    ...head({ subject, messageId, domain }),
    'Content-Type: multipart/mixed; boundary="mix"',
    '',
    '--mix',
    'Content-Type: multipart/related; boundary="rel"',
    '',
    '--rel',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qp(Buffer.from(VN_TEXT, 'utf8')),
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(Buffer.from(html, 'utf8')),
    '--alt--',
    '--rel',
    'Content-Type: image/png',
    'Content-ID: <logo@ngocha>',
    'Content-Disposition: inline',
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(PNG),
    '--rel--',
    '--mix',
    `Content-Type: application/pdf; name="${encodeWord(pdfName)}"`,
    `Content-Disposition: attachment; filename="${encodeWord(pdfName)}"`,
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(pdf),
    '--mix',
    'Content-Type: message/rfc822',
    'Content-Disposition: attachment',
    '',
    inner,
    '--mix',
    `Content-Type: text/csv; charset=utf-8; name="${encodeWord('danh sách.csv')}"`,
    `Content-Disposition: attachment; filename="${encodeWord('danh sách.csv')}"`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qp(csv),
    '--mix--',
    '',
  ].join('\r\n');
  return {
    raw,
    subject,
    messageId,
    remoteUrls,
    attachments: [
      { filename: null, contentType: 'image/png', bytes: PNG, inline: true, contentId: 'logo@ngocha' },
      { filename: pdfName, contentType: 'application/pdf', bytes: pdf, inline: false, contentId: null },
      { filename: null, contentType: 'message/rfc822', bytes: Buffer.from(inner, 'utf8'), inline: false, contentId: null },
      { filename: 'danh sách.csv', contentType: 'text/csv', bytes: csv, inline: false, contentId: null },
    ],
  };
}

export interface CharsetMail {
  raw: string;
  subject: string;
  messageId: string;
  text: string;
}

/** The same Vietnamese text in one charset and transfer encoding. */
export function charsetMail(domain: string, charset: 'windows-1258' | 'viscii' | 'utf-8-8bit' | 'iso-8859-1'): CharsetMail {
  const messageId = `cs-${charset}.${Date.now()}@example.com`;
  let subjectHeader: string;
  let subject: string;
  let body: string[];
  let text = VN_TEXT;
  if (charset === 'windows-1258') {
    subject = 'Thư bảng mã windows-1258';
    subjectHeader = `=?windows-1258?Q?${[...toCp1258(subject)].map((b) => (b === 32 ? '_' : b >= 33 && b <= 126 && b !== 61 && b !== 63 && b !== 95 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`;
    body = ['Content-Type: text/plain; charset=windows-1258', 'Content-Transfer-Encoding: quoted-printable', '', qp(toCp1258(VN_TEXT))];
  } else if (charset === 'viscii') {
    subject = 'Thư bảng mã VISCII';
    subjectHeader = `=?VISCII?B?${iconv.encode(subject, 'viscii').toString('base64')}?=`;
    body = ['Content-Type: text/plain; charset=VISCII', 'Content-Transfer-Encoding: base64', '', wrap64(iconv.encode(VN_TEXT, 'viscii'))];
  } else if (charset === 'iso-8859-1') {
    subject = 'Réunion à Hanoï';
    text = 'Café crème, réunion prévue à Hanoï.';
    subjectHeader = '=?ISO-8859-1?Q?R=E9union_=E0_Hano=EF?=';
    body = ['Content-Type: text/plain; charset=ISO-8859-1', 'Content-Transfer-Encoding: quoted-printable', '', qp(iconv.encode(text, 'latin1'))];
  } else {
    subject = 'Đề nghị phối hợp xử lý';
    // A multi-byte letter split across two encoded words.
    const bytes = Buffer.from(subject, 'utf8');
    subjectHeader = `=?UTF-8?B?${bytes.subarray(0, 3).toString('base64')}?=\r\n =?UTF-8?B?${bytes.subarray(3).toString('base64')}?=`;
    body = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', VN_TEXT];
  }
  const raw = [
    `From: =?UTF-8?B?${Buffer.from('Trần Thị Mai', 'utf8').subarray(0, 2).toString('base64')}?= =?UTF-8?B?${Buffer.from('Trần Thị Mai', 'utf8').subarray(2).toString('base64')}?= <mai@badinh.example.com>`,
    `To: lan@${domain}`,
    `Subject: ${subjectHeader}`,
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    ...body,
    '',
  ].join('\r\n');
  return { raw, subject, messageId, text };
}

/** A mail from outside gov.vn whose only link (a dossier code) is deep in the body, past any preview. */
export function deepLinkMail(domain: string, code: string): CharsetMail {
  const messageId = `deep.${Date.now()}@example.com`;
  const subject = 'Trao đổi về việc phối hợp';
  const filler = Array.from({ length: 60 }, (_, i) => `Đoạn ${i + 1}: nội dung trao đổi chung, không có số hiệu nào.`).join('\n');
  const text = `${filler}\nCuối thư: đề nghị xem hồ sơ ${code} giúp.`;
  const raw = [
    ...head({ subject, messageId, domain, from: 'doitac@example.com' }),
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(Buffer.from(text, 'utf8')),
    '',
  ].join('\r\n');
  return { raw, subject, messageId, text };
}

/**
 * A message with one attachment of `bytes` random bytes (Vietnamese file name), written to `path`
 * in chunks; returns the attachment's sha256 (computed while writing, never held whole).
 */
export function writeBigAttachmentMail(path: string, domain: string, bytes: number, filename: string): { messageId: string; subject: string; sha: string } {
  const messageId = `big-vn.${Date.now()}@example.com`;
  const subject = 'Bản đồ địa chính phường (tệp lớn)';
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    writeSync(
      fd,
      [
        ...head({ subject, messageId, domain }),
        'Content-Type: multipart/mixed; boundary="big"',
        '',
        '--big',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Gửi đồng chí bản đồ địa chính.',
        '--big',
        `Content-Type: application/octet-stream; name="${encodeWord(filename)}"`,
        `Content-Disposition: attachment; filename="${encodeWord(filename)}"`,
        'Content-Transfer-Encoding: base64',
        '',
        '',
      ].join('\r\n'),
    );
    const chunk = 57 * 1024;
    for (let done = 0; done < bytes; done += chunk) {
      const part = randomBytes(Math.min(chunk, bytes - done));
      hash.update(part);
      writeSync(fd, `${wrap64(part)}\r\n`);
    }
    writeSync(fd, '--big--\r\n');
  } finally {
    closeSync(fd);
  }
  return { messageId, subject, sha: hash.digest('hex') };
}

/** A message that is nothing but one attachment (no multipart): IMAP part "1". */
export function singlePartAttachmentMail(domain: string): CharsetMail & { bytes: Buffer; filename: string } {
  const messageId = `single.${Date.now()}@example.com`;
  const subject = 'Tệp quét duy nhất';
  const filename = 'Biên bản.pdf';
  const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(5000)]);
  const raw = [
    ...head({ subject, messageId, domain }),
    `Content-Type: application/pdf; name="${encodeWord(filename)}"`,
    `Content-Disposition: attachment; filename="${encodeWord(filename)}"`,
    'Content-Transfer-Encoding: base64',
    '',
    wrap64(bytes),
    '',
  ].join('\r\n');
  return { raw, subject, messageId, text: '', bytes, filename };
}
