import { describe, expect, it } from 'vitest';
import { matchCommands, scoreCommand } from '../../../src/renderer/palette/palette-match';

const COMMANDS = [
  { id: 'action:receive', label: 'Tiếp nhận' },
  { id: 'action:supplement', label: 'Yêu cầu bổ sung' },
  { id: 'action:fees', label: 'Yêu cầu nộp phí' },
  { id: 'action:refuse', label: 'Từ chối tiếp nhận' },
  { id: 'filter:overdue', label: 'Chỉ xem mục quá hạn', keywords: ['overdue'] },
  { id: 'app:sync', label: 'Đồng bộ ngay', keywords: ['sync'] },
  { id: 'app:audit', label: 'Mở nhật ký thao tác', keywords: ['audit', 'log'] },
  { id: 'app:lang', label: 'Chuyển ngôn ngữ (Tiếng Việt / English)' },
];
const ids = (q: string): string[] => matchCommands(q, COMMANDS).map((c) => c.id);

describe('command palette matching', () => {
  it('lists everything, in order, for an empty query', () => {
    expect(ids('')).toEqual(COMMANDS.map((c) => c.id));
    expect(ids('   ')).toEqual(COMMANDS.map((c) => c.id));
  });

  it('ignores diacritics and folds đ', () => {
    expect(ids('dong bo')).toEqual(['app:sync']);
    expect(ids('ĐỒNG BỘ')).toEqual(['app:sync']);
    expect(ids('qua han')).toEqual(['filter:overdue']);
    expect(ids('nhat ky')).toEqual(['app:audit']);
  });

  it('puts word-start matches before matches inside words', () => {
    // "tiep" starts "Tiếp nhận" and is the second word of "Từ chối tiếp nhận".
    expect(ids('tiep')).toEqual(['action:receive', 'action:refuse']);
    expect(ids('yeu cau')).toEqual(['action:supplement', 'action:fees']);
    expect(ids('yeu cau bo')).toEqual(['action:supplement']);
  });

  it('finds by initials and by keywords', () => {
    expect(ids('ycbs')[0]).toBe('action:supplement');
    expect(ids('yc')[0]).toBe('action:supplement');
    expect(ids('audit')).toEqual(['app:audit']);
    expect(ids('overdue')).toEqual(['filter:overdue']);
  });

  it('needs every typed word to match', () => {
    expect(ids('bo sung phi')).toEqual([]);
    expect(ids('xyz')).toEqual([]);
    expect(scoreCommand('tiep nhan', COMMANDS[0] as (typeof COMMANDS)[number])).toBeGreaterThan(scoreCommand('tiep nhan', COMMANDS[3] as (typeof COMMANDS)[number]));
  });
});
