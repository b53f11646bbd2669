/**
 * The one-queue workstation: top bar, filters, the virtualised queue, the detail pane.
 * Composition of state lives here; the views below only render and report.
 */
import { Button, Callout, Flex, Heading, Kbd, Spinner, Text, TextField, Theme } from '@radix-ui/themes';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxEntry, Session } from '../shared/api';
import type { ItemActionKind } from '../shared/actions';
import { SOURCES, type Source } from '../shared/domain';
import { legalActions, mailCommandsFor, MAIL_COMMAND_KEYS, type MailCommand } from './actions/action-catalog';
import { switchLanguage } from './i18n';
import { actionLabel, actionTitle, openCount, waitingCount } from './outbox/outbox-words';
import { useOutbox } from './state/outbox.hooks';
import type { ActionRequest } from './views/action-bar.view';
import { AuditPanel } from './views/audit-panel.view';
import { ComposeForm, ComposeReplaceBar } from './views/compose.view';
import type { ComposeRequest } from './views/mail-actions.view';
import { createMailSanitizer, htmlToPlainText } from './mail/mail-dom';
import { MailBodyContext } from './state/mail-body.context';
import { MailBodyStore } from './state/mail-body.store';
import { OfflineBanner } from './views/offline-banner.view';
import { CoreRestartBanner } from './views/core-restart-banner.view';
import { OutboxPanel } from './views/outbox-panel.view';
import { Palette, type PaletteEntry } from './views/palette.view';
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
import { ScreenTabs, TopBar, TrainingStripe } from './views/top-bar.view';
import { useTr } from './i18n.hooks';
import { screensFor, type ScreenProps } from './screens/screen-registry';
import { useCccdScanner } from './citizen/scanner.hooks';

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

type PanelKind = 'outbox' | 'audit' | 'compose';

/** The mail being written (one at a time; it survives switching to the queue and back). */
interface ComposeSession {
  key: number;
  request: ComposeRequest;
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
  const mailBodies = useMemo(() => {
    const sanitize = createMailSanitizer(window);
    return new MailBodyStore(api, sanitize, (clean) => htmlToPlainText(window, clean));
  }, [api]);
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
      setPrevious(null);
      // Picking a row shows its detail again in the right column (a mail being written is kept).
      setPanel(null);
      if (open) setTimeout(focusDetail, 0);
      else focusList();
    },
    [select, focusDetail, focusList],
  );

  // ---------- live updates ----------
  const selectedIdRef = useRef<string | null>(null);
  selectedIdRef.current = selection.id;
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  const outbox = useOutbox();
  const [auditKey, setAuditKey] = useState(0);
  useCoreEvents((event) => {
    if (event.type === 'items.changed') {
      store.refresh();
      const id = selectedIdRef.current;
      if (id !== null && (event.more || event.ids.includes(id))) setDetailKey((k) => k + 1);
    } else if (event.type === 'backend.status') {
      applyBackend(event.backend);
    } else if (event.type === 'outbox.changed') {
      // (Other event types — core.restart, notify.*, tray.counts — are handled where they are shown.)
      outbox.apply(event.entry);
      setAuditKey((k) => k + 1);
      // The item's pending mark and attention follow the entry.
      store.refresh();
      if (event.entry.itemId === selectedIdRef.current) setDetailKey((k) => k + 1);
    } else if (event.type === 'notify.open') {
      // Issue #7: the official clicked an OS notification (Electron shell): open its item.
      openItem(event.itemId);
    } else if (event.type === 'config.applied') {
      // IT staff saved settings: the core was rebuilt; backends and the queue are read again.
      reloadBackends();
      store.refresh();
      setDetailKey((k) => k + 1);
      noticeRef.current(event.ok ? t('nav.configApplied') : t('nav.configNotApplied', { reason: event.reason ?? '' }), event.ok ? 'info' : 'error');
    }
  });
  useOnReconnect(() => {
    store.refresh();
    reloadBackends();
    outbox.reload();
    setDetailKey((k) => k + 1);
  });

  const detail = useItemDetail(selection.id, detailKey);

  // ---------- following links between items ----------
  const detailStateRef = useRef(detail);
  detailStateRef.current = detail;
  const [previous, setPrevious] = useState<{ id: string; ref: string } | null>(null);
  const detailRefOf = (d: typeof detail): string | null => (d.state === 'ready' ? d.data.item.ref || d.data.item.title : null);
  const openItem = useCallback(
    (id: string) => {
      const from = selectionRef.current.id;
      const fromRef = detailRefOf(detailStateRef.current);
      setPrevious(from !== null && from !== id && fromRef !== null ? { id: from, ref: fromRef } : null);
      setSelection({ index: store.indexOf(id), id });
      setPanel(null);
      setScreen({ id: 'queue', param: null });
      setTimeout(focusDetail, 0);
    },
    [store, focusDetail],
  );
  const previousRef = useRef(previous);
  previousRef.current = previous;
  const goBack = useCallback(() => {
    const p = previousRef.current;
    if (!p) return;
    setPrevious(null);
    setSelection({ index: store.indexOf(p.id), id: p.id });
    setTimeout(focusDetail, 0);
  }, [store, focusDetail]);

  // ---------- panels, actions, palette ----------
  const [panel, setPanel] = useState<PanelKind | null>(null);
  const panelRef = useRef(panel);
  panelRef.current = panel;
  const [paletteOpen, setPaletteOpen] = useState(false);
  // The screen shown in place of the queue ('queue' = the queue itself), with its parameter.
  const [screen, setScreen] = useState<{ id: string; param: string | null }>({ id: 'queue', param: null });
  const screenRef = useRef(screen.id);
  screenRef.current = screen.id;
  const navigate = useCallback((id: string, param?: string) => setScreen({ id, param: param ?? null }), []);
  const [actionRequest, setActionRequest] = useState<ActionRequest | null>(null);
  const nonce = useRef(0);
  const [notice, setNotice] = useState<{ text: string; tone: 'info' | 'error' } | null>(null);
  const onNotice = useCallback((text: string, tone: 'info' | 'error') => setNotice({ text, tone }), []);
  const noticeRef = useRef(onNotice);
  noticeRef.current = onNotice;
  // Issue #6 counter mode: a CCCD QR code scanned anywhere in the window opens the citizen screen.
  useCccdScanner({ navigate, onNotice, clockOffset, enabled: screensFor(session.user.role).some((s) => s.id === 'citizen') });

  /** Open the action menu (`a`) or one action's form for the selected item, in the detail pane. */
  const openActions = useCallback(
    (kind: ItemActionKind | MailCommand | 'menu') => {
      const id = selectionRef.current.id;
      if (id === null) {
        onNotice(t('actionBar.selectFirst'), 'info');
        return;
      }
      setPanel(null);
      nonce.current += 1;
      setActionRequest({ itemId: id, kind, nonce: nonce.current });
    },
    [onNotice, t],
  );
  const onRequestHandled = useCallback((n: number) => {
    setActionRequest((r) => (r !== null && r.nonce === n ? null : r));
  }, []);
  const onSubmitted = useCallback(
    (entry: OutboxEntry) => {
      outbox.apply(entry);
      store.refresh();
      setDetailKey((k) => k + 1);
      onNotice(t('actionBar.submitted', { action: actionTitle(t, entry.action), ref: entry.itemRef }), 'info');
      focusList();
    },
    [outbox, store, onNotice, t, focusList],
  );
  const togglePanel = useCallback((which: PanelKind) => setPanel((p) => (p === which ? null : which)), []);

  // ---------- compose ----------
  const [compose, setCompose] = useState<ComposeSession | null>(null);
  const [pendingCompose, setPendingCompose] = useState<ComposeRequest | null>(null);
  const composeDirty = useRef(false);
  const composeKey = useRef(0);
  const onComposeDirty = useCallback((dirty: boolean) => {
    composeDirty.current = dirty;
  }, []);
  const startCompose = useCallback((request: ComposeRequest) => {
    composeKey.current += 1;
    composeDirty.current = false;
    setCompose({ key: composeKey.current, request });
    setPendingCompose(null);
    setPanel('compose');
  }, []);
  const openCompose = useCallback(
    (request: ComposeRequest) => {
      if (compose !== null && composeDirty.current) {
        // Never drop what the official wrote without asking.
        setPendingCompose(request);
        setPanel('compose');
        return;
      }
      startCompose(request);
    },
    [compose, startCompose],
  );
  const newMail = useCallback(() => {
    const account = session.mailAccounts[0];
    if (!account) {
      onNotice(t('compose.noAccount'), 'info');
      return;
    }
    if (compose !== null && compose.request.mode === 'new' && pendingCompose === null) {
      // The mail already being written: go back to it.
      setPanel('compose');
      return;
    }
    openCompose({ mode: 'new', item: null, detail: null, backendId: account.backendId });
  }, [session.mailAccounts, compose, pendingCompose, openCompose, onNotice, t]);
  const closeCompose = useCallback(() => {
    setCompose(null);
    setPendingCompose(null);
    composeDirty.current = false;
    setPanel((p) => (p === 'compose' ? null : p));
    focusList();
  }, [focusList]);
  const onMailSent = useCallback(
    (entry: OutboxEntry) => {
      outbox.apply(entry);
      store.refresh();
      setDetailKey((k) => k + 1);
      setCompose(null);
      composeDirty.current = false;
      setPanel((p) => (p === 'compose' ? null : p));
      onNotice(t('compose.queued', { subject: entry.action.kind === 'mail.send' && entry.action.subject !== '' ? entry.action.subject : t('mail.noSubject') }), 'info');
      focusList();
    },
    [outbox, store, onNotice, t, focusList],
  );

  // ---------- keyboard ----------
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.isComposing) return;
      // Another screen is shown: the queue's shortcuts are off (Ctrl+K still opens the palette).
      if (screenRef.current !== 'queue' && !((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k')) return;
      // A component that handled Escape/Enter/arrows itself (popover, segmented control) wins;
      // some Radix items mark every key as handled, so j/k and / are taken regardless.
      if (e.defaultPrevented && !['j', 'k', '/'].includes(e.key)) return;
      const zone = zoneOf(document.activeElement, listRef.current, detailRef.current);
      const action = shortcutFor({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, zone });
      if (!action) return;
      const sel = selectionRef.current;
      const rowCount = store.getSnapshot().rowCount;
      switch (action) {
        case 'palette':
          e.preventDefault();
          setPaletteOpen((open) => !open);
          return;
        case 'actions':
          e.preventDefault();
          openActions('menu');
          return;
        case 'search':
          e.preventDefault();
          searchRef.current?.focus();
          searchRef.current?.select();
          return;
        case 'back':
          e.preventDefault();
          if (panelRef.current !== null && zone !== 'list') {
            setPanel(null);
            focusList();
            return;
          }
          focusList();
          return;
        case 'open':
          if (sel.index < 0 || !store.itemAt(sel.index)) return;
          e.preventDefault();
          focusDetail();
          return;
        case 'compose':
          e.preventDefault();
          newMail();
          return;
        case 'reply':
        case 'replyAll':
        case 'forward':
        case 'toggleSeen':
        case 'toggleFlag': {
          // Mail keys act on the selected mail only; elsewhere they do nothing.
          const current = detailStateRef.current;
          if (current.state !== 'ready' || current.data.item.source !== 'mail' || current.data.item.id !== sel.id) return;
          e.preventDefault();
          openActions(`mail.${action}`);
          return;
        }
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
  }, [store, select, focusList, focusDetail, openActions, newMail]);

  // Search box: Enter or ↓ jumps into the list (a QR scanner ends with Enter).
  const onSearchKey = (e: React.KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter' || e.key === 'ArrowDown') {
      e.preventDefault();
      if (searchText !== filter.q) setFilter((f) => ({ ...f, q: searchText }));
      focusList();
    }
  };

  // ---------- notices ----------
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  // ---------- sync, language ----------
  const [syncing, setSyncing] = useState(false);
  const syncNow = useCallback(() => {
    setSyncing(true);
    api.call('sync.now', {}).then(
      (r) => {
        setSyncing(false);
        onNotice(r.started.length > 0 ? t('sync.started', { count: r.started.length }) : t('sync.nothingStarted'), 'info');
      },
      (error: unknown) => {
        setSyncing(false);
        onNotice(t('sync.failed', { message: errorMessage(error) }), 'error');
      },
    );
  }, [api, onNotice, t]);
  const { i18n } = useTranslation();
  const toggleLang = useCallback(() => {
    let storage: Storage | null = null;
    try {
      storage = window.localStorage;
    } catch {
      storage = null;
    }
    void switchLanguage(i18n, lang === 'vi' ? 'en' : 'vi', storage);
  }, [i18n, lang]);

  const sources: Source[] = useMemo(
    () => SOURCES.filter((s) => s !== 'mail' || backends.some((b) => b.kind === 'mail')),
    [backends],
  );
  // ---------- palette commands ----------
  const paletteCommands = useMemo((): PaletteEntry[] => {
    if (!paletteOpen) return [];
    const out: PaletteEntry[] = [];
    const item = selection.index >= 0 ? store.itemAt(selection.index) : undefined;
    const gAction = t('palette.groupActions', { ref: item?.ref ?? '' });
    if (item) {
      for (const kind of legalActions(item)) {
        out.push({ id: `action:${kind}`, group: gAction, label: actionLabel(t, kind), keywords: [kind, t('palette.actionWord')], run: () => openActions(kind) });
      }
      if (item.source === 'mail') {
        for (const command of mailCommandsFor(item.status)) {
          out.push({ id: `action:${command}`, group: gAction, label: t(`palette.mail.${command.slice('mail.'.length)}`), keywords: [command, t('palette.actionWord')], hint: MAIL_COMMAND_KEYS[command], run: () => openActions(command) });
        }
      }
    }
    if (session.mailAccounts.length > 0) {
      out.push({ id: 'mail:compose', group: t('palette.groupMail'), label: t('compose.titleNew'), keywords: ['compose', 'new mail', 'soan thu', 'thu moi', 'email'], hint: 'c', run: newMail });
    }
    const gFilter = t('palette.groupFilters');
    const setF = (patch: Partial<QueueFilterState>) => () => {
      setPanel(null);
      changeFilter({ ...filter, ...patch });
      setTimeout(focusList, 0);
    };
    out.push(
      { id: 'filter:overdue', group: gFilter, label: t('palette.filterOverdue'), keywords: ['overdue', 'qua han'], run: setF({ sla: ['overdue'] }) },
      { id: 'filter:dueToday', group: gFilter, label: t('palette.filterDueToday'), keywords: ['due today', 'hom nay'], run: setF({ sla: ['due_today'] }) },
      { id: 'filter:mine', group: gFilter, label: t('palette.filterMine'), keywords: ['mine'], run: setF({ scope: 'mine' }) },
      { id: 'filter:all', group: gFilter, label: t('palette.filterAll'), keywords: ['all'], run: setF({ scope: 'all' }) },
    );
    for (const src of sources) {
      out.push({ id: `filter:source:${src}`, group: gFilter, label: t('palette.filterSource', { source: t(`source.${src}`) }), keywords: [src], run: setF({ sources: [src], statuses: [] }) });
    }
    out.push({ id: 'filter:clear', group: gFilter, label: t('filters.clearAll'), keywords: ['clear', 'reset'], run: setF({ sources: [], statuses: [], sla: [], includeClosed: false, q: '' }) });
    const gApp = t('palette.groupApp');
    out.push(
      { id: 'app:sync', group: gApp, label: t('sync.now'), keywords: ['sync', 'dong bo'], run: syncNow },
      { id: 'app:outbox', group: gApp, label: t('palette.openOutbox'), keywords: ['outbox', 'hop thao tac'], run: () => setPanel('outbox') },
      { id: 'app:audit', group: gApp, label: t('palette.openAudit'), keywords: ['audit', 'log', 'nhat ky'], run: () => setPanel('audit') },
      { id: 'app:lang', group: gApp, label: t('palette.switchLang'), keywords: ['language', 'ngon ngu', 'english', 'tieng viet'], run: toggleLang },
    );
    return out;
    // Built when the palette opens; the selection cannot change while it is open.
  }, [paletteOpen]);

  // ---------- screens beside the queue ----------
  const screens = useMemo(() => screensFor(session.user.role).map((def) => ({ ...def, Component: lazy(def.load) })), [session.user.role]);
  const activeScreen = screen.id === 'queue' ? null : (screens.find((s) => s.id === screen.id) ?? null);
  const screenProps: ScreenProps = { session, clockOffset, onNotice, openItem, navigate, param: screen.param };

  const busy = snap.status === 'loading' || searchText !== filter.q;
  const panelLabel = panel === 'outbox' ? t('outbox.title') : panel === 'audit' ? t('audit.title') : t('compose.panelLabel');
  const outboxOpenCount = openCount(outbox.counts);
  const outboxAttention = (outbox.counts.needs_attention ?? 0) + (outbox.counts.conflict ?? 0) > 0;
  const offline = backends.filter((b) => b.state === 'offline');
  const now = Date.now() + clockOffset;

  return (
    <MailBodyContext.Provider value={mailBodies}>
      <div className={`app${session.training ? ' app--training' : ''}`}>
        {session.training ? <TrainingStripe /> : null}
        <TopBar
          session={session}
          backends={backends}
          clockOffset={clockOffset}
          syncing={syncing}
          onSyncNow={syncNow}
          onToggleLang={toggleLang}
          outboxCount={outboxOpenCount}
          outboxAttention={outboxAttention}
          panel={panel}
          onTogglePanel={togglePanel}
          onOpenPalette={() => setPaletteOpen(true)}
          canCompose={session.mailAccounts.length > 0}
          composing={compose !== null}
          onCompose={newMail}
        />
        <ScreenTabs screens={screens.map((def) => ({ id: def.id, label: t(def.labelKey) }))} screen={screen.id} onScreen={navigate} />
        {offline.length > 0 ? <OfflineBanner backends={offline} waiting={waitingCount(outbox.counts)} onOpenOutbox={() => setPanel('outbox')} /> : null}
        <CoreRestartBanner />
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
        <main className="workspace" hidden={screen.id !== 'queue'}>
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

          {panel === 'outbox' || panel === 'audit' ? (
            <section className="detail-pane detail-pane--panel" role="region" aria-label={panelLabel}>
              {panel === 'outbox' ? (
                <OutboxPanel outbox={outbox} session={session} onClose={() => setPanel(null)} onNotice={onNotice} />
              ) : (
                <AuditPanel onClose={() => setPanel(null)} onNotice={onNotice} reloadKey={auditKey} />
              )}
            </section>
          ) : null}
          {compose !== null || pendingCompose !== null ? (
            // Kept mounted while hidden: what the official wrote survives a look at the queue.
            <section className="detail-pane detail-pane--panel" role="region" aria-label={t('compose.panelLabel')} hidden={panel !== 'compose'} data-testid="compose-panel">
              {pendingCompose !== null ? (
                <ComposeReplaceBar
                  onReplace={() => startCompose(pendingCompose)}
                  onKeep={() => setPendingCompose(null)}
                />
              ) : null}
              {compose !== null ? (
                <ComposeForm key={compose.key} request={compose.request} session={session} onSent={onMailSent} onClose={closeCompose} onDirtyChange={onComposeDirty} />
              ) : null}
            </section>
          ) : null}
          <section
            hidden={panel !== null}
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
              <DetailContent
                detail={detail}
                onBack={focusList}
                onOpenItem={openItem}
                previous={previous}
                onGoBack={goBack}
                onReload={() => setDetailKey((k) => k + 1)}
                actions={{
                  session,
                  clockOffset,
                  request: actionRequest,
                  onRequestHandled,
                  onSubmitted,
                  onOpenOutbox: () => setPanel('outbox'),
                  onCompose: openCompose,
                  outboxEntries: outbox.entries,
                }}
              />
            </Suspense>
          </section>
        </main>
        {activeScreen ? (
          <main className="screen" data-testid={`screen-${activeScreen.id}`} aria-label={t(activeScreen.labelKey)}>
            <Suspense
              fallback={
                <Flex align="center" justify="center" gap="2" className="screen__loading" role="status">
                  <Spinner size="2" />
                  <Text size="2">{t('app.loading')}</Text>
                </Flex>
              }
            >
              <activeScreen.Component {...screenProps} />
            </Suspense>
          </main>
        ) : null}
        {paletteOpen ? (
          <Palette
            commands={paletteCommands}
            onClose={() => {
              setPaletteOpen(false);
            }}
          />
        ) : null}
        {notice ? (
          <div className={`notice notice--${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="notice">
            {notice.text}
          </div>
        ) : null}
      </div>
    </MailBodyContext.Provider>
  );
}
