/**
 * Realistic Vietnamese official mails as raw MIME (RFC 2047 subjects and names, UTF-8 base64 and
 * quoted-printable bodies, windows-1258), plus a malformed one and a big attachment written to a file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

const SENDERS = [
  ['Nguyễn Văn Hùng', 'hung.nv@hanoi.gov.vn'],
  ['Trần Thị Mai', 'mai.tt@badinh.hanoi.gov.vn'],
  ['Phòng Tư pháp quận Ba Đình', 'tuphap@badinh.hanoi.gov.vn'],
  ['Lê Quang Minh', 'minh.lq@ngocha.hanoi.gov.vn'],
  ['Văn phòng UBND phường', 'vanphong@ngocha.hanoi.gov.vn'],
] as const;

const SUBJECTS = [
  'Về việc báo cáo tình hình đăng ký hộ tịch quý III',
  'Giấy mời họp giao ban tuần',
  'Đề nghị bổ sung hồ sơ chứng thực',
  'Thông báo lịch tiếp công dân tháng 11',
  'Kế hoạch triển khai Đề án 06 trên địa bàn phường',
  'Hướng dẫn cập nhật dữ liệu dân cư',
];

export function encodeWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function qp(bytes: Buffer): string {
  let out = '';
  let line = '';
  for (const b of bytes) {
    const ch = b === 0x0a ? '\n' : (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (ch === '\n') {
      out += `${line}\r\n`;
      line = '';
      continue;
    }
    if (line.length + ch.length > 72) {
      out += `${line}=\r\n`;
      line = '';
    }
    line += ch;
  }
  return out + line;
}

function wrap64(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

export interface SeedMail {
  raw: string;
  subject: string;
  messageId: string | null;
  body: string;
}

/** windows-1258: precomposed letters where the code page has them, else base letter + combining tone mark. */
const CP1258 = new Map<string, number>();
{
  const decoder = new TextDecoder('windows-1258');
  for (let b = 0; b < 256; b++) CP1258.set(decoder.decode(Uint8Array.of(b)), b);
}
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;

export function toCp1258(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text.normalize('NFC')) {
    const direct = CP1258.get(ch);
    if (direct !== undefined) {
      out.push(direct);
      continue;
    }
    const nfd = ch.normalize('NFD');
    const base = nfd.replace(TONE_MARKS, '').normalize('NFC');
    const tones = nfd.match(TONE_MARKS) ?? [];
    for (const part of [base, ...tones]) {
      const b = CP1258.get(part);
      if (b === undefined) throw new Error(`no windows-1258 byte for ${JSON.stringify(part)}`);
      out.push(b);
    }
  }
  return Buffer.from(out);
}

export function seedMail(i: number, domain: string, date = new Date()): SeedMail {
  const [name, address] = SENDERS[i % SENDERS.length]!;
  const subject = `${SUBJECTS[i % SUBJECTS.length]} (số ${i + 1})`;
  const messageId = i === 7 ? null : `seed-${i}.${Date.now()}@ngocha.hanoi.gov.vn`;
  const variant = i % 3;
  const body = `Kính gửi đồng chí Lan,\nĐề nghị đồng chí xem xét và phản hồi trước ngày ${(i % 28) + 1}/11. Mã số ${1000 + i}.\nTrân trọng.`;
  const head = [
    `From: ${encodeWord(name)} <${address}>`,
    `To: ${encodeWord('Nguyễn Thị Lan')} <lan@${domain}>`,
    `Subject: ${encodeWord(subject)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    ...(messageId ? [`Message-ID: <${messageId}>`] : []),
    'MIME-Version: 1.0',
  ];
  let mime: string[];
  if (variant === 0) {
    mime = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', wrap64(Buffer.from(body, 'utf8'))];
  } else if (variant === 1) {
    mime = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', qp(Buffer.from(body, 'utf8'))];
  } else {
    // windows-1258 with a PDF attachment.
    const plain = `Đề nghị đồng chí xem tài liệu đính kèm. Mã số ${1000 + i}.`;
    mime = [
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=windows-1258',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp(toCp1258(plain)),
      '--b1',
      `Content-Type: application/pdf; name="${encodeWord('Công văn số ' + (i + 1) + '.pdf')}"`,
      `Content-Disposition: attachment; filename="${encodeWord('Công văn số ' + (i + 1) + '.pdf')}"`,
      'Content-Transfer-Encoding: base64',
      '',
      wrap64(Buffer.from(`%PDF-1.4 seed ${i}`)),
      '--b1--',
    ];
    return { raw: [...head, ...mime, ''].join('\r\n'), subject, messageId, body: plain };
  }
  return { raw: [...head, ...mime, ''].join('\r\n'), subject, messageId, body };
}

/** Broken MIME: an unterminated multipart, a header without colon, an invalid encoded word. */
export function malformedMail(domain: string): SeedMail {
  const messageId = `malformed.${Date.now()}@example.invalid`;
  const raw = [
    'From: =?UTF-8?B?!!notbase64?= <broken@example.invalid>',
    `To: lan@${domain}`,
    'Subject: =?UTF-8?Q?Th=C6=B0_h=E1=BB=8Fng?= =?bogus?X?zz?=',
    `Message-ID: <${messageId}>`,
    'this header line has no colon',
    'Content-Type: multipart/mixed; boundary="never-closed"',
    'Content-Transfer-Encoding: base64',
    '',
    '--never-closed',
    'Content-Type: text/plain; charset=no-such-charset',
    'Content-Transfer-Encoding: base64',
    '',
    '@@@ not base64 at all ###',
    '',
  ].join('\r\n');
  return { raw, subject: 'Thư hỏng', messageId, body: '' };
}

/** A message with one attachment of `bytes` random bytes, written to `path` in chunks (never whole in memory). */
export function writeBigMail(path: string, domain: string, bytes: number): { messageId: string } {
  const messageId = `big.${Date.now()}@ngocha.hanoi.gov.vn`;
  const fd = openSync(path, 'w');
  try {
    writeSync(
      fd,
      [
        `From: ${encodeWord('Phòng Tài nguyên')} <tnmt@badinh.hanoi.gov.vn>`,
        `To: lan@${domain}`,
        `Subject: ${encodeWord('Bản đồ địa chính (tệp lớn)')}`,
        `Message-ID: <${messageId}>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="big"',
        '',
        '--big',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Gửi đồng chí bản đồ địa chính.',
        '--big',
        'Content-Type: application/octet-stream; name="ban-do.bin"',
        'Content-Disposition: attachment; filename="ban-do.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        '',
      ].join('\r\n'),
    );
    const chunk = 57 * 1024; // multiple of 57 bytes → whole 76-char base64 lines
    for (let done = 0; done < bytes; done += chunk) {
      const part = randomBytes(Math.min(chunk, bytes - done));
      writeSync(fd, `${wrap64(part)}\r\n`);
    }
    writeSync(fd, '--big--\r\n');
  } finally {
    closeSync(fd);
  }
  return { messageId };
}
