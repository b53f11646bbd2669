/**
 * Links between cached items as the official sees and edits them (issue #4): `item.get`'s links both
 * ways, `links.add` and `links.remove`.
 *
 * - A manual link is stored like an automatic one (one row per mail, kind and folded value), with
 *   origin 'manual': it is kept when the mail is synced again. Its value is normalised like the
 *   extractor's (link-values.ts) and resolved against the cache now, or later when that dossier /
 *   document lands (QueueService resolves waiting links).
 * - Removing a link leaves a tombstone (`removed_at`): an automatic link the mail still cites does not
 *   come back on the next sync. Adding it again by hand clears the tombstone (and makes it manual).
 * - Each change runs in one transaction with its audit entry (kind 'action', Vietnamese summary) and
 *   the mail's rules applied again (a mail linked to a dossier may become work); then one
 *   `items.changed` for both sides (for a citizen: every cached dossier of that ID number).
 */
import type Database from 'better-sqlite3';
import type { CoreEvent, ItemLinksView, ItemLinkView } from '../../shared/api';
import { ApiFailure } from '../api/api.dispatcher';
import type { AuditLog } from '../audit/audit.log';
import type { ItemLink, QueueService } from '../queue/queue.service';
import { normalizeLinkValue } from '../../shared/link-values';
import { foldNotation, type LinkKind } from '../../shared/mail-links';

/** Ids per `items.changed` event (as the sync engine). */
const CHANGED_IDS_CAP = 500;

export const LINK_KIND_LABELS: Readonly<Record<LinkKind, string>> = {
  dossier: 'hồ sơ',
  document: 'văn bản',
  citizen: 'công dân số định danh',
};

export interface ItemLinksServiceDeps {
  db: Database.Database;
  queue: QueueService;
  audit: AuditLog;
  emit: (event: CoreEvent) => void;
  now: () => number;
  actor: { username: string; fullName: string };
}

export interface LinkInput {
  fromId: string;
  kind: LinkKind;
  value: string;
}

interface LinkRow {
  from_id: string;
  to_id: string | null;
  kind: LinkKind;
  value: string;
  origin: 'auto' | 'manual';
  created_at: number;
  removed_at: number | null;
}

export class ItemLinksService {
  private readonly upsertManual: Database.Statement<{
    fromId: string;
    kind: string;
    valueKey: string;
    value: string;
    toId: string | null;
    at: number;
  }>;
  private readonly selectLink: Database.Statement<[string, string, string], LinkRow>;
  private readonly tombstone: Database.Statement<
    { fromId: string; kind: string; valueKey: string; at: number },
    { to_id: string | null; value: string }
  >;

  constructor(private readonly deps: ItemLinksServiceDeps) {
    const { db } = deps;
    this.upsertManual = db.prepare(`INSERT INTO item_links (from_id, kind, value_key, value, to_id, origin, created_at, removed_at)
      VALUES (@fromId, @kind, @valueKey, @value, @toId, 'manual', @at, NULL)
      ON CONFLICT (from_id, kind, value_key) DO UPDATE SET
        origin = 'manual',
        value = excluded.value,
        to_id = COALESCE(excluded.to_id, item_links.to_id),
        created_at = CASE WHEN item_links.removed_at IS NULL THEN item_links.created_at ELSE excluded.created_at END,
        removed_at = NULL`);
    this.selectLink = db.prepare(`SELECT from_id, to_id, kind, value, origin, created_at, removed_at FROM item_links
      WHERE from_id = ? AND kind = ? AND value_key = ?`);
    this.tombstone = db.prepare(`UPDATE item_links SET removed_at = @at
      WHERE from_id = @fromId AND kind = @kind AND value_key = @valueKey AND removed_at IS NULL
      RETURNING to_id, value`);
  }

  /** An item's links both ways, each with the item on the other side when cached. */
  views(itemId: string): ItemLinksView {
    const links = this.deps.queue.linksOf(itemId);
    return {
      outgoing: links.outgoing.map((l) => this.view(l, l.toId)),
      incoming: links.incoming.map((l) => this.view(l, l.fromId)),
    };
  }

  add(input: LinkInput): ItemLinkView {
    const { db, queue, audit, now, actor } = this.deps;
    const at = now();
    const mail = this.mailOf(input.fromId, at);
    const normalised = normalizeLinkValue(input.kind, input.value, at);
    if (!normalised.ok) throw new ApiFailure('invalid_input', normalised.message);
    const value = normalised.value;
    const valueKey = foldNotation(value);
    const row = db.transaction(() => {
      const before = this.selectLink.get(input.fromId, input.kind, valueKey);
      const lookup = queue.linkLookup;
      const found =
        input.kind === 'dossier'
          ? lookup.findDossier(value)
          : input.kind === 'document'
            ? lookup.findDocumentByNotation(valueKey)
            : lookup.findCitizen(value);
      this.upsertManual.run({ fromId: input.fromId, kind: input.kind, valueKey, value, toId: found, at });
      const stored = this.selectLink.get(input.fromId, input.kind, valueKey);
      if (!stored) throw new Error('link row missing after upsert');
      queue.reevaluateMailLinks(input.fromId);
      const restored = before !== undefined && before.removed_at !== null;
      audit.append({
        actor: actor.username,
        kind: 'action',
        summary: `${restored ? 'Khôi phục liên kết' : 'Liên kết'} thư "${mail.title}" với ${LINK_KIND_LABELS[input.kind]} ${value}`,
        data: { event: 'link.add', itemId: input.fromId, kind: input.kind, value, toId: stored.to_id, restored, before: before?.origin ?? null },
      });
      return stored;
    })();
    this.announce(input.fromId, input.kind, value, [row.to_id]);
    return this.view(
      { fromId: row.from_id, toId: row.to_id, kind: row.kind, value: row.value, origin: row.origin, createdAt: row.created_at },
      row.to_id,
    );
  }

  remove(input: LinkInput): { removed: boolean } {
    const { db, queue, audit, now, actor } = this.deps;
    const at = now();
    const mail = this.mailOf(input.fromId, at);
    const normalised = normalizeLinkValue(input.kind, input.value, at);
    // A value that does not validate may still be a stored one (an old CMND…): fall back to its key.
    const valueKey = foldNotation(normalised.ok ? normalised.value : input.value.normalize('NFC').trim());
    const gone = db.transaction(() => {
      const row = this.tombstone.get({ fromId: input.fromId, kind: input.kind, valueKey, at });
      if (!row) return null;
      queue.reevaluateMailLinks(input.fromId);
      audit.append({
        actor: actor.username,
        kind: 'action',
        summary: `Bỏ liên kết thư "${mail.title}" với ${LINK_KIND_LABELS[input.kind]} ${row.value}`,
        data: { event: 'link.remove', itemId: input.fromId, kind: input.kind, value: row.value, toId: row.to_id },
      });
      return row;
    })();
    if (!gone) return { removed: false };
    this.announce(input.fromId, input.kind, gone.value, [gone.to_id]);
    return { removed: true };
  }

  private mailOf(itemId: string, at: number): { title: string } {
    const item = this.deps.queue.getItem(itemId, at);
    if (!item) throw new ApiFailure('not_found', `Không tìm thấy mục "${itemId}" trong bộ nhớ đệm.`);
    if (item.source !== 'mail') {
      throw new ApiFailure('invalid_input', `Chỉ thư điện tử mới được liên kết thủ công; "${item.ref}" không phải là thư.`);
    }
    return { title: item.title };
  }

  private announce(fromId: string, kind: LinkKind, value: string, others: (string | null)[]): void {
    const ids = new Set<string>([fromId]);
    for (const id of others) if (id !== null) ids.add(id);
    if (kind === 'citizen') for (const id of this.deps.queue.dossiersOfCitizen(value, CHANGED_IDS_CAP)) ids.add(id);
    const list = [...ids];
    this.deps.emit({ type: 'items.changed', ids: list.slice(0, CHANGED_IDS_CAP), more: list.length > CHANGED_IDS_CAP });
  }

  private view(link: ItemLink, otherId: string | null): ItemLinkView {
    let other: ItemLinkView['other'] = null;
    if (otherId !== null) {
      const item = this.deps.queue.getItem(otherId, this.deps.now());
      if (item) other = { id: item.id, source: item.source, ref: item.ref, title: item.title, status: item.status };
    }
    return { ...link, other };
  }
}
