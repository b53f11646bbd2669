/**
 * Items kept sorted by a keyset key (update time, then id) for incremental listings:
 * sorted once, pages found by binary search, an updated item moved with one splice.
 */

export interface KeysetKey {
  /** Update time, epoch ms (whole seconds in the sandbox). */
  time: number;
  id: string;
}

export class KeysetIndex<T> {
  private readonly items: T[];

  constructor(
    items: readonly T[],
    private readonly timeOf: (item: T) => number,
    private readonly idOf: (item: T) => string,
  ) {
    this.items = [...items];
    this.items.sort((a, b) => {
      const ta = this.timeOf(a);
      const tb = this.timeOf(b);
      if (ta !== tb) return ta - tb;
      const ia = this.idOf(a);
      const ib = this.idOf(b);
      return ia < ib ? -1 : ia > ib ? 1 : 0;
    });
  }

  private keyOf(item: T): KeysetKey {
    return { time: this.timeOf(item), id: this.idOf(item) };
  }

  /** Compare an item with a key without allocating. */
  private compareItem(item: T, key: KeysetKey): number {
    const t = this.timeOf(item);
    if (t !== key.time) return t < key.time ? -1 : 1;
    const id = this.idOf(item);
    if (id === key.id) return 0;
    return id < key.id ? -1 : 1;
  }

  get length(): number {
    return this.items.length;
  }

  /** Index of the first item strictly after `cursor` (all items when cursor is null). */
  firstAfter(cursor: KeysetKey | null): number {
    if (cursor === null) return 0;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.items[mid] as T;
      if (this.compareItem(item, cursor) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  slice(start: number, end: number): T[] {
    return this.items.slice(start, end);
  }

  /** Add an item at its place. */
  insert(item: T): void {
    const key = this.keyOf(item);
    const at = this.firstAfter(key);
    this.items.splice(at, 0, item);
  }

  /**
   * Remove an item whose key is still `key` (call before changing the item's update time).
   * Returns false when it is not there.
   */
  remove(item: T, key: KeysetKey): boolean {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareItem(this.items[mid] as T, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.items.length; i++) {
      const candidate = this.items[i] as T;
      if (candidate === item) {
        this.items.splice(i, 1);
        return true;
      }
      if (this.compareItem(candidate, key) > 0) break;
    }
    return false;
  }

  /** Re-position an item after `mutate` changed its key. */
  update(item: T, mutate: () => void): void {
    const before = this.keyOf(item);
    const old = { time: before.time, id: before.id };
    this.remove(item, old);
    mutate();
    this.insert(item);
  }

  all(): readonly T[] {
    return this.items;
  }
}

export function compareKeys(a: KeysetKey, b: KeysetKey): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
