/**
 * The one-queue workstation: top bar, filters, the virtualised queue, the detail pane.
 * Composition of state lives here; the views below only render and report.
 */
import { Button, Callout, Flex, Heading, Kbd, Spinner, Text, TextField, Theme } from '@radix-ui/themes';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactElement } from 'react';
import type { Session } from '../shared/api';
import { SOURCES, type Source } from '../shared/domain';
import { formatNumber } from './format/date.format';
import { zoneOf } from './keyboard/focus-zone';
import { shortcutFor } from './keyboard/shortcuts';
import { useApi } from './state/api.context';
import { errorMessage, isUnauthorized } from './state/error-message';
import { useBackends, useCoreEvents, useItemDetail, useLinkState, useOnReconnect } from './state/live.hooks';
import { defaultFilter, hasActiveFilters, type QueueFilterState } from './state/queue-filter';
import { QueueStore } from './state/queue.store';
import { FilterPanel } from './views/filter-panel.view';
import { SearchIcon, WarningIcon } from './views/icons.view';
import { QueueList } from './views/queue-list.view';
import { TopBar, TrainingStripe } from './views/top-bar.view';
import { useTr } from './i18n.hooks';

const DetailContent = lazy(() => import('./views/detail-pane.view').then((m) => ({ default: m.DetailContent })));

const SEARCH_DEBOUNCE_MS = 150;

type SessionState = { state: 'loading' } | { state: 'ready'; session: Session; clockOffset: number } | { state: 'error'; error: unknown };

export function App(): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const [sessionState, setSessionState] = useState<SessionState>({ state: 'loading' });

  const loadSession = useCallback(() => {
    setSessionState({ state: 'loading' });
    api.call('session.get', {}).then(
      (session) => setSessionState({ state: 'ready', session, clockOffset: session.now - Date.now() }),
      (error: unknown) => setSessionState({ state: 'error', error }),
    );
  }, [api]);
  useEffect(loadSession, [loadSession]);

  return (
    <Theme accentColor="indigo" grayColor="slate" radius="small" scaling="95%" panelBackground="solid" className="app-theme">
      {sessionState.state === 'ready' ? (
        <Workstation session={sessionState.session} clockOffset={sessionState.clockOffset} />
      ) : sessionState.state === 'loading' ? (
        <Flex className="app-splash" align="center" justify="center" gap="2" role="status">
          <Spinner size="3" />
          <Text size="3">{t('app.loading')}</Text>
        </Flex>
      ) : (
        <Flex className="app-splash" direction="column" align="center" justify="center" gap="3" data-testid="start-error">
          <Heading size="5">{t('link.startFailed')}</Heading>
          <Callout.Root color="red" role="alert" className="app-splash__callout">
            <Callout.Icon>
              <WarningIcon />
            </Callout.Icon>
            <Callout.Text>
              {isUnauthorized(sessionState.error) ? t('link.unauthorized') : t('link.startFailedHint')}
              <br />
              <Text size="1" color="gray">
                {t('link.error', { message: errorMessage(sessionState.error) })}
              </Text>
            </Callout.Text>
          </Callout.Root>
          <Button onClick={loadSession}>{t('link.retry')}</Button>
        </Flex>
      )}
    </Theme>
  );
}

interface Selection {
  index: number;
  id: string | null;
}

function Workstation({ session, clockOffset }: { session: Session; clockOffset: number }): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const link = useLinkState();
  const { backends, reload: reloadBackends, apply: applyBackend } = useBackends();

  // Officials start on their own items; supervisors and IT staff on the whole office.
  const [filter, setFilter] = useState<QueueFilterState>(() => defaultFilter(session.user.role === 'official' ? 'mine' : 'all'));
  const [searchText, setSearchText] = useState('');
  const store = useMemo(() => new QueueStore(api), [api]);
  useEffect(() => () => store.dispose(), [store]);
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    store.setFilter(filter);
    // filterKey stands for the filter: same content, no reload.
  }, [store, filterKey]);

  // Search is debounced; the queue shows busy from the first keystroke until the answer.
  useEffect(() => {
    if (searchText === filter.q) return;
    const timer = setTimeout(() => setFilter((f) => ({ ...f, q: searchText })), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchText, filter.q]);

  const changeFilter = useCallback((next: QueueFilterState) => {
    setFilter(next);
    setSearchText(next.q);
  }, []);

  // Ready once the first page has been rendered (the effect runs after that commit).
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!ready && snap.status !== 'loading') setReady(true);
  }, [ready, snap.status]);

  // ---------- selection ----------
  const [selection, setSelection] = useState<Selection>({ index: -1, id: null });
  const [detailKey, setDetailKey] = useState(0);
  const listRef = useRef<HTMLDivElement | null>(null);
  const detailRef = useRef<HTMLElement | null>(null);
  const searchRef = useRef<HTMLInputElement | null>(null);
  const visibleRows = useRef(10);
  const onVisibleRowsChange = useCallback((n: number) => {
    visibleRows.current = n;
  }, []);

  // Rows move when the queue refreshes: follow the selected item by id, fill in ids of rows that arrived.
  useEffect(() => {
    setSelection((sel) => {
      if (sel.id !== null) {
        const at = store.indexOf(sel.id);
        if (at >= 0 && at !== sel.index) return { index: at, id: sel.id };
        return sel;
      }
      if (sel.index >= 0) {
        const item = store.itemAt(sel.index);
        if (item) return { index: sel.index, id: item.id };
      }
      return sel;
    });
  }, [snap.version, store]);

  const select = useCallback(
    (index: number) => {
      const rowCount = store.getSnapshot().rowCount;
      if (rowCount === 0) return;
      const clamped = Math.max(0, Math.min(rowCount - 1, index));
      setSelection({ index: clamped, id: store.itemAt(clamped)?.id ?? null });
    },
    [store],
  );

  const focusList = useCallback(() => listRef.current?.focus({ preventScroll: true }), []);
  const focusDetail = useCallback(() => detailRef.current?.focus({ preventScroll: true }), []);

  const onPick = useCallback(
    (index: number, open: boolean) => {
      select(index);
      if (open) setTimeout(focusDetail, 0);
      else focusList();
    },
    [select, focusDetail, focusList],
  );

  // ---------- live updates ----------
  const selectedIdRef = useRef<string | null>(null);
  selectedIdRef.current = selection.id;
  useCoreEvents((event) => {
    if (event.type === 'items.changed') {
      store.refresh();
      const id = selectedIdRef.current;
      if (id !== null && (event.more || event.ids.includes(id))) setDetailKey((k) => k + 1);
    } else {
      applyBackend(event.backend);
    }
  });
  useOnReconnect(() => {
    store.refresh();
    reloadBackends();
    setDetailKey((k) => k + 1);
  });

  const detail = useItemDetail(selection.id, detailKey);

  // ---------- keyboard ----------
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.isComposing) return;
      // A component that handled Escape/Enter/arrows itself (popover, segmented control) wins;
      // some Radix items mark every key as handled, so j/k and / are taken regardless.
      if (e.defaultPrevented && !['j', 'k', '/'].includes(e.key)) return;
      const zone = zoneOf(document.activeElement, listRef.current, detailRef.current);
      const action = shortcutFor({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, zone });
      if (!action) return;
      const sel = selectionRef.current;
      const rowCount = store.getSnapshot().rowCount;
      switch (action) {
        case 'search':
          e.preventDefault();
          searchRef.current?.focus();
          searchRef.current?.select();
          return;
        case 'back':
          e.preventDefault();
          focusList();
          return;
        case 'open':
          if (sel.index < 0 || !store.itemAt(sel.index)) return;
          e.preventDefault();
          focusDetail();
          return;
        default:
          break;
      }
      if (rowCount === 0) return;
      e.preventDefault();
      const page = visibleRows.current;
      const from = sel.index;
      const target =
        action === 'next'
          ? from < 0
            ? 0
            : from + 1
          : action === 'prev'
            ? from < 0
              ? 0
              : from - 1
            : action === 'first'
              ? 0
              : action === 'last'
                ? rowCount - 1
                : action === 'pageDown'
                  ? from + page
                  : from - page;
      select(target);
      // From the filters or the top bar, j/k bring focus back to the list (so Enter opens, not re-clicks).
      if (zone !== 'list' && zone !== 'detail') focusList();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [store, select, focusList, focusDetail]);

  // Search box: Enter or ↓ jumps into the list (a QR scanner ends with Enter).
  const onSearchKey = (e: React.KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter' || e.key === 'ArrowDown') {
      e.preventDefault();
      if (searchText !== filter.q) setFilter((f) => ({ ...f, q: searchText }));
      focusList();
    }
  };

  // ---------- notices ----------
  const [notice, setNotice] = useState<{ text: string; tone: 'info' | 'error' } | null>(null);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(timer);
  }, [notice]);
  const onNotice = useCallback((text: string, tone: 'info' | 'error') => setNotice({ text, tone }), []);

  const sources: Source[] = useMemo(
    () => SOURCES.filter((s) => s !== 'mail' || backends.some((b) => b.kind === 'mail')),
    [backends],
  );
  const busy = snap.status === 'loading' || searchText !== filter.q;
  const now = Date.now() + clockOffset;

  return (
    <div className={`app${session.training ? ' app--training' : ''}`}>
      {session.training ? <TrainingStripe /> : null}
      <TopBar session={session} backends={backends} clockOffset={clockOffset} onNotice={onNotice} />
      {link === 'down' ? (
        <div className="link-banner" role="alert" data-testid="link-down">
          <WarningIcon />
          <span>{t('link.down')}</span>
          <Button
            size="1"
            variant="soft"
            color="red"
            onClick={() => {
              store.refresh();
              reloadBackends();
            }}
          >
            {t('link.retry')}
          </Button>
        </div>
      ) : null}
      <main className="workspace">
        <aside className="sidebar">
          <FilterPanel filter={filter} sources={sources} bySla={snap.bySla} onChange={changeFilter} />
        </aside>

        <section className="queue-pane" aria-label={t('queue.label')}>
          <div className="queue-toolbar">
            <TextField.Root
              ref={searchRef}
              size="2"
              className="search-box"
              type="search"
              placeholder={t('search.placeholder')}
              aria-label={t('search.label')}
              data-testid="search"
              value={searchText}
              maxLength={300}
              onChange={(e) => setSearchText(e.target.value)}
              onKeyDown={onSearchKey}
              autoComplete="off"
            >
              <TextField.Slot>
                <SearchIcon />
              </TextField.Slot>
              <TextField.Slot>
                <Kbd size="1">/</Kbd>
              </TextField.Slot>
            </TextField.Root>
            <Text size="2" color="gray" className="queue-count" aria-live="polite" data-testid="queue-count">
              {busy && snap.rowCount === 0 ? <Spinner size="1" /> : null}
              {snap.total !== null ? t('queue.count', { n: formatNumber(lang, snap.total) }) : snap.status === 'ready' ? t('queue.countUnknown') : ''}
            </Text>
          </div>
          <QueueList
            store={store}
            snap={snap}
            listRef={listRef}
            selectedIndex={selection.index}
            ready={ready}
            busy={busy}
            filterKey={filterKey}
            scope={filter.scope}
            hasFilters={hasActiveFilters(filter)}
            now={now}
            onPick={onPick}
            onShowAll={() => changeFilter({ ...filter, scope: 'all' })}
            onClearFilters={() => changeFilter({ ...filter, sources: [], statuses: [], sla: [], includeClosed: false, q: '' })}
            onVisibleRowsChange={onVisibleRowsChange}
          />
          <div className="queue-footer" aria-hidden="true">
            {t('queue.keyboardHint')}
          </div>
        </section>

        <section
          className="detail-pane"
          data-testid="detail"
          data-state={detail.state}
          data-item-id={detail.state === 'idle' ? '' : detail.id}
          ref={detailRef}
          tabIndex={-1}
          aria-label={t('detail.label')}
          aria-labelledby={detail.state === 'ready' ? 'detail-title' : undefined}
          role="region"
        >
          <Suspense fallback={null}>
            <DetailContent detail={detail} onBack={focusList} />
          </Suspense>
        </section>
      </main>
      {notice ? (
        <div className={`notice notice--${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="notice">
          {notice.text}
        </div>
      ) : null}
    </div>
  );
}
