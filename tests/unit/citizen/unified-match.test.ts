/** The unified search's FTS5 expressions (issue #6): whole words first, the last word as a prefix; never FTS syntax. */
import { describe, expect, it } from 'vitest';
import { unifiedMatch } from '../../../src/core/queue/queue.service';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { tempDir } from '../core/fixtures/records.fixture';

describe('unifiedMatch', () => {
  it('folds words and quotes each; a short last word stays an (indexed) prefix', () => {
    expect(unifiedMatch('Nguyễn Văn Đ')).toEqual({ first: '"nguyen" AND "van" AND "d"*', fallback: null });
    expect(unifiedMatch('  ')).toBeNull();
  });

  it('tries whole words first and keeps the prefix search as the fallback for a long last word', () => {
    expect(unifiedMatch('đăng ký khai sinh')).toEqual({
      first: '"dang" AND "ky" AND "khai" AND "sinh"',
      fallback: '"dang" AND "ky" AND "khai" AND "sinh"*',
    });
  });

  it('turns hostile input into plain quoted words that SQLite FTS5 accepts', () => {
    const { dir, cleanup } = tempDir('cw-unified-match-');
    const db = openCacheDatabase(dir);
    try {
      const probe = db.prepare('SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT 1');
      for (const q of ['"', 'a"b', 'NEAR(a b)', 'x OR y', '*', '^a', 'search_folded:x', '(a', '- b', 'a AND', '{a}', "'; DROP TABLE items; --"]) {
        const m = unifiedMatch(q);
        if (m === null) continue;
        expect(() => probe.all(m.first), q).not.toThrow();
        if (m.fallback !== null) expect(() => probe.all(m.fallback), q).not.toThrow();
      }
    } finally {
      db.close();
      cleanup();
    }
  });
});
