/**
 * "Cài đặt" (issue #5, IT staff): four tabs — connections (adapter settings, validation, test
 * connection), working calendar, configuration profiles, sync health with the log viewer. Plain
 * semantic HTML (tab buttons, tables, selects) styled in app.css; no Radix Table/Select (strict CSP).
 */
import { Heading } from '@radix-ui/themes';
import { useState, type ReactElement } from 'react';
import { useTr } from '../i18n.hooks';
import type { ScreenProps } from '../screens/screen-registry';
import { SettingsCalendar } from './settings-calendar.view';
import { SettingsConnections } from './settings-connections.view';
import { SettingsHealth } from './settings-health.view';
import { SettingsProfiles } from './settings-profiles.view';

const TABS = ['connections', 'calendar', 'profiles', 'health'] as const;
type Tab = (typeof TABS)[number];

export default function SettingsScreen({ onNotice }: ScreenProps): ReactElement {
  const { t } = useTr();
  const [tab, setTab] = useState<Tab>('connections');
  return (
    <section className="settings" aria-labelledby="settings-title">
      <Heading as="h2" size="4" id="settings-title" className="settings__title">
        {t('settings.title')}
      </Heading>
      <div role="tablist" className="settings__tabs" aria-label={t('settings.title')}>
        {TABS.map((id) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`settings-tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`settings-panel-${id}`}
            className="settings__tab"
            data-testid={`settings-tab-${id}`}
            onClick={() => setTab(id)}
          >
            {t(`settings.tabs.${id}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`settings-panel-${tab}`} aria-labelledby={`settings-tab-${tab}`} className="settings__panel">
        {tab === 'connections' ? <SettingsConnections onNotice={onNotice} /> : null}
        {tab === 'calendar' ? <SettingsCalendar onNotice={onNotice} /> : null}
        {tab === 'profiles' ? <SettingsProfiles onNotice={onNotice} /> : null}
        {tab === 'health' ? <SettingsHealth /> : null}
      </div>
    </section>
  );
}
