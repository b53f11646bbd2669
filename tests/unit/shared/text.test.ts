import { describe, expect, it } from 'vitest';
import { foldVietnamese, searchWords } from '../../../src/shared/text';

describe('Vietnamese folding', () => {
  it('drops every diacritic and folds đ/Đ to d', () => {
    expect(foldVietnamese('Nguyễn Văn Đức')).toBe('nguyen van duc');
    expect(foldVietnamese('ĐĂNG KÝ KHAI SINH')).toBe('dang ky khai sinh');
    expect(foldVietnamese('Thượng khẩn, Hỏa tốc')).toBe('thuong khan, hoa toc');
  });
  it('handles precomposed and decomposed input alike', () => {
    expect(foldVietnamese('Tr\u00e2\u0300n')).toBe(foldVietnamese('Trần'));
  });
  it('splits into words, dropping punctuation', () => {
    expect(searchWords('  7816/VPCP-TTĐT  "Đức"* ')).toEqual(['7816', 'vpcp', 'ttdt', 'duc']);
  });
});
