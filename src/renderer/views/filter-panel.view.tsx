/**
 * Left column: scope (Của tôi / Tất cả), source, SLA state with counts, status (multi-select with
 * words), "show closed". Every control is a real button/checkbox: reachable with Tab, toggled with
 * Space/Enter, state announced through aria-pressed / aria-checked.
 */
import { Badge, Button, CheckboxGroup, Flex, Popover, SegmentedControl, Switch, Text } from '@radix-ui/themes';
import type { ReactElement, ReactNode } from 'react';
import { DOCUMENT_STATUS_CODES, PROCEDURE_STATUS_CODES, SLA_STATES, type SlaState, type Source } from '../../shared/domain';

/** Mail statuses worth filtering on (deleted and outgoing stand-ins are not). */
const MAIL_FILTER_STATUSES = ['unseen', 'seen'] as const;

const STATUS_CODES: Readonly<Record<Source, readonly string[]>> = {
  procedure: PROCEDURE_STATUS_CODES,
  document: DOCUMENT_STATUS_CODES,
  mail: MAIL_FILTER_STATUSES,
};
import { formatNumber } from '../format/date.format';
import { slaLabel, sourceLabel, statusLabel } from '../format/labels.format';
import { hasActiveFilters, toggleIn, type QueueFilterState } from '../state/queue-filter';
import { ChevronDownIcon, SourceIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

/** Which source a bare status code belongs to. */
function statusSourceOf(code: string): Source {
  if ((PROCEDURE_STATUS_CODES as readonly string[]).includes(code)) return 'procedure';
  if ((DOCUMENT_STATUS_CODES as readonly string[]).includes(code)) return 'document';
  return 'mail';
}

interface FilterPanelProps {
  filter: QueueFilterState;
  sources: readonly Source[];
  bySla: Record<SlaState, number> | null;
  onChange: (next: QueueFilterState) => void;
}

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }): ReactElement {
  return (
    <section className="filter-section" aria-labelledby={id}>
      <Text as="div" size="1" weight="bold" className="filter-section__title" id={id}>
        {title}
      </Text>
      {children}
    </section>
  );
}

function ToggleRow(props: {
  pressed: boolean;
  onToggle: () => void;
  testId: string;
  children: ReactNode;
  count?: number | null;
  className?: string;
  lang: 'vi' | 'en';
}): ReactElement {
  return (
    <Button
      size="1"
      variant={props.pressed ? 'soft' : 'ghost'}
      color={props.pressed ? undefined : 'gray'}
      highContrast={!props.pressed}
      aria-pressed={props.pressed}
      data-testid={props.testId}
      data-pressed={props.pressed ? 'true' : 'false'}
      onClick={props.onToggle}
      className={`filter-toggle ${props.className ?? ''}`}
    >
      <span className="filter-toggle__label">{props.children}</span>
      {props.count !== undefined ? (
        <span className="filter-toggle__count" aria-hidden={props.count === null}>
          {props.count === null ? '…' : formatNumber(props.lang, props.count)}
        </span>
      ) : null}
    </Button>
  );
}

export function FilterPanel({ filter, sources, bySla, onChange }: FilterPanelProps): ReactElement {
  const { t, lang } = useTr();
  const set = (patch: Partial<QueueFilterState>): void => onChange({ ...filter, ...patch });
  const statusSources: readonly Source[] = filter.sources.length > 0 ? filter.sources : sources;

  return (
    <nav className="filter-panel" aria-label={t('filters.label')}>
      <Section title={t('filters.scope')} id="filter-scope-title">
        <SegmentedControl.Root
          size="1"
          value={filter.scope}
          onValueChange={(v) => set({ scope: v === 'all' ? 'all' : 'mine' })}
          className="filter-scope"
          aria-labelledby="filter-scope-title"
        >
          <SegmentedControl.Item value="mine" data-testid="filter-scope-mine">
            {t('filters.mine')}
          </SegmentedControl.Item>
          <SegmentedControl.Item value="all" data-testid="filter-scope-all">
            {t('filters.all')}
          </SegmentedControl.Item>
        </SegmentedControl.Root>
      </Section>

      <Section title={t('filters.source')} id="filter-source-title">
        <Flex direction="column" gap="1">
          {sources.map((s) => (
            <ToggleRow
              key={s}
              lang={lang}
              pressed={filter.sources.includes(s)}
              onToggle={() => set({ sources: toggleIn(filter.sources, s), statuses: [] })}
              testId={`filter-source-${s}`}
            >
              <SourceIcon source={s} size={14} />
              {sourceLabel(t, s)}
            </ToggleRow>
          ))}
        </Flex>
      </Section>

      <Section title={t('filters.sla')} id="filter-sla-title">
        <Flex direction="column" gap="1">
          {SLA_STATES.map((s) => (
            <ToggleRow
              key={s}
              lang={lang}
              pressed={filter.sla.includes(s)}
              onToggle={() => set({ sla: toggleIn(filter.sla, s) })}
              testId={`filter-sla-${s}`}
              count={bySla ? bySla[s] : null}
              className={`filter-toggle--sla sla-${s}`}
            >
              <span className={`sla-dot sla-dot--${s}`} aria-hidden="true" />
              {slaLabel(t, s)}
            </ToggleRow>
          ))}
        </Flex>
      </Section>

      <Section title={t('filters.status')} id="filter-status-title">
        {/* A popover, not a DropdownMenu: Radix's menu content uses ScrollArea, which injects an
            inline <style> that the renderer's CSP blocks. */}
        <Popover.Root>
          <Popover.Trigger>
            <Button size="1" variant="surface" color="gray" className="filter-status-trigger" data-testid="filter-status">
              <span className="filter-status-trigger__text">
                {filter.statuses.length === 0 ? t('filters.statusAll') : t('filters.statusSelected', { count: filter.statuses.length })}
              </span>
              <ChevronDownIcon size={14} />
            </Button>
          </Popover.Trigger>
          <Popover.Content size="1" className="filter-status-menu" side="right" align="start" aria-label={t('filters.status')}>
            <CheckboxGroup.Root size="1" value={filter.statuses} onValueChange={(v) => set({ statuses: v })} name="status">
              {statusSources.map((source) => (
                <div key={source} className="filter-status-group" role="group" aria-label={sourceLabel(t, source)}>
                  <Text as="div" size="1" weight="bold" color="gray" className="filter-status-group__title">
                    {sourceLabel(t, source)}
                  </Text>
                  {/* Codes never collide across sources ('1'…'10', '01'…'06', 'unseen'…); the contract takes them bare. */}
                  {STATUS_CODES[source].map((code) => (
                    <CheckboxGroup.Item key={code} value={code} data-testid={`filter-status-${source}-${code}`}>
                      {statusLabel(t, source, code)}
                    </CheckboxGroup.Item>
                  ))}
                </div>
              ))}
            </CheckboxGroup.Root>
            {filter.statuses.length > 0 ? (
              <Button size="1" variant="ghost" color="gray" mt="2" onClick={() => set({ statuses: [] })}>
                {t('filters.statusClear')}
              </Button>
            ) : null}
          </Popover.Content>
        </Popover.Root>
        {filter.statuses.length > 0 ? (
          <Flex gap="1" wrap="wrap" mt="1">
            {filter.statuses.map((code) => (
              <Badge key={code} variant="soft" color="gray" className="status-chip">
                {statusLabel(t, statusSourceOf(code), code)}
              </Badge>
            ))}
          </Flex>
        ) : null}
      </Section>

      <section className="filter-section">
        <Text as="label" size="1" className="filter-closed">
          <Switch size="1" checked={filter.includeClosed} onCheckedChange={(v) => set({ includeClosed: v })} data-testid="filter-closed" />
          {t('filters.showClosed')}
        </Text>
      </section>

      {hasActiveFilters(filter) ? (
        <Button
          size="1"
          variant="ghost"
          color="gray"
          className="filter-clear"
          onClick={() => onChange({ ...filter, sources: [], statuses: [], sla: [], includeClosed: false, q: '' })}
          data-testid="filter-clear"
        >
          {t('filters.clearAll')}
        </Button>
      ) : null}
    </nav>
  );
}
