/**
 * The queue: a listbox virtualised with TanStack Virtual. Only the rows on screen exist in the
 * DOM; the store fetches the pages they fall in. Selection is `aria-activedescendant`, so focus
 * stays on the list while j/k/arrows move through 200,000 rows.
 */
import { Button, Callout, Flex, Spinner, Text } from '@radix-ui/themes';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactElement, type RefObject } from 'react';
import type { QueueSnapshot, QueueStore } from '../state/queue.store';
import { errorMessage } from '../state/error-message';
import { QueueRow, ROW_HEIGHT, rowDomId } from './queue-row.view';
import { WarningIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

interface QueueListProps {
  store: QueueStore;
  snap: QueueSnapshot;
  listRef: RefObject<HTMLDivElement | null>;
  selectedIndex: number;
  ready: boolean;
  busy: boolean;
  /** Changes when the filter changes: scroll back to the top. */
  filterKey: string;
  scope: 'mine' | 'all';
  hasFilters: boolean;
  now: number;
  onPick: (index: number, open: boolean) => void;
  onShowAll: () => void;
  onClearFilters: () => void;
  onVisibleRowsChange: (rows: number) => void;
}

export function QueueList(props: QueueListProps): ReactElement {
  const { t } = useTr();
  const { store, snap, listRef, selectedIndex, onPick } = props;
  const virtualizer = useVirtualizer({
    count: snap.rowCount,
    getScrollElement: () => listRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const first = virtualRows[0]?.index ?? 0;
  const last = virtualRows[virtualRows.length - 1]?.index ?? 0;

  useEffect(() => {
    store.setVisibleRange(first, last);
  }, [store, first, last, snap.rowCount]);

  // Keep the selected row on screen as the keyboard moves it.
  const lastScrolled = useRef(-1);
  useEffect(() => {
    if (selectedIndex >= 0 && selectedIndex < snap.rowCount && selectedIndex !== lastScrolled.current) {
      lastScrolled.current = selectedIndex;
      virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
    }
  }, [selectedIndex, snap.rowCount, virtualizer]);

  // New filter: back to the top.
  const firstFilter = useRef(true);
  useEffect(() => {
    if (firstFilter.current) {
      firstFilter.current = false;
      return;
    }
    lastScrolled.current = -1;
    virtualizer.scrollToOffset(0);
  }, [props.filterKey, virtualizer]);

  const viewportHeight = virtualizer.scrollRect?.height ?? 0;
  const { onVisibleRowsChange } = props;
  useEffect(() => {
    onVisibleRowsChange(Math.max(1, Math.floor(viewportHeight / ROW_HEIGHT)));
  }, [viewportHeight, onVisibleRowsChange]);

  const empty = snap.status === 'ready' && snap.rowCount === 0;
  const activeId = selectedIndex >= 0 && selectedIndex < snap.rowCount ? rowDomId(selectedIndex) : undefined;
  const now = snap.now ?? props.now;

  return (
    <div className="queue-body">
      <div
        ref={listRef}
        className="queue-scroll"
        role="listbox"
        tabIndex={0}
        aria-label={t('queue.label')}
        aria-activedescendant={activeId}
        aria-busy={props.busy}
        data-testid="queue"
        data-ready={props.ready ? 'true' : 'false'}
        data-busy={props.busy ? 'true' : 'false'}
        data-count={snap.rowCount}
        onFocus={(e) => {
          if (e.target === e.currentTarget && selectedIndex < 0 && snap.rowCount > 0) onPick(0, false);
        }}
      >
        <div className="queue-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {virtualRows.map((row) => (
            <QueueRow
              key={row.key}
              index={row.index}
              start={row.start}
              item={store.itemAt(row.index)}
              selected={row.index === selectedIndex}
              setSize={snap.rowCount}
              now={now}
              onPick={onPick}
            />
          ))}
        </div>
      </div>

      {snap.status === 'loading' && snap.rowCount === 0 ? (
        <Flex className="queue-overlay" align="center" justify="center" gap="2" role="status">
          <Spinner size="2" />
          <Text size="2" color="gray">
            {t('queue.loading')}
          </Text>
        </Flex>
      ) : null}

      {empty ? (
        <Flex className="queue-overlay" direction="column" align="center" justify="center" gap="3" role="status" data-testid="queue-empty">
          <Text size="3" weight="medium">
            {props.scope === 'mine' ? t('queue.emptyMine') : t('queue.empty')}
          </Text>
          <Flex gap="2">
            {props.scope === 'mine' ? (
              <Button size="2" variant="soft" onClick={props.onShowAll}>
                {t('queue.showAll')}
              </Button>
            ) : null}
            {props.hasFilters ? (
              <Button size="2" variant="soft" color="gray" onClick={props.onClearFilters}>
                {t('queue.clearFilters')}
              </Button>
            ) : null}
          </Flex>
        </Flex>
      ) : null}

      {snap.status === 'error' ? (
        <Flex className="queue-overlay" direction="column" align="center" justify="center" gap="3" data-testid="queue-error">
          <Callout.Root color="red" role="alert">
            <Callout.Icon>
              <WarningIcon />
            </Callout.Icon>
            <Callout.Text>{t('queue.error', { message: errorMessage(snap.error) })}</Callout.Text>
          </Callout.Root>
          <Button size="2" onClick={() => store.retry()}>
            {t('link.retry')}
          </Button>
        </Flex>
      ) : null}
    </div>
  );
}
