/**
 * Tab "Hồ sơ cấu hình": export the profile (no secrets) as a JSON file; import one from a file. The
 * core validates the whole profile (kind marker, version, every backend, the calendar) before the one
 * write that applies it: a foreign or invalid file is refused and nothing changes.
 */
import { Button, Callout, Flex, Text } from '@radix-ui/themes';
import { useRef, useState, type ReactElement } from 'react';
import { ApiCallError } from '../../shared/api';
import { useTr } from '../i18n.hooks';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { downloadText } from '../views/audit-panel.view';

export function SettingsProfiles({ onNotice }: { onNotice: (text: string, tone: 'info' | 'error') => void }): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const fileInput = useRef<HTMLInputElement>(null);
  const [result, setResult] = useState<{ tone: 'green' | 'red'; lines: string[] } | null>(null);

  const exportProfile = (): void => {
    api.call('profile.export', {}).then(
      (f) => {
        downloadText(f.filename, f.content, 'application/json');
        setResult({ tone: 'green', lines: [t('settings.prof.exported', { file: f.filename })] });
      },
      (err: unknown) => onNotice(errorMessage(err), 'error'),
    );
  };
  const importProfile = (file: File): void => {
    void file.text().then((content) =>
      api.call('profile.import', { content }).then(
        (r) => {
          const lines = [t('settings.prof.applied', { count: r.backends })];
          if (r.missingSecrets.length > 0) lines.push(t('settings.prof.missing', { names: r.missingSecrets.join(', ') }));
          setResult({ tone: 'green', lines });
          onNotice(lines[0] ?? '', 'info');
        },
        (err: unknown) => {
          const details = err instanceof ApiCallError ? (err.error.details ?? []) : [];
          setResult({ tone: 'red', lines: [t('settings.prof.failed', { message: errorMessage(err) }), ...details] });
        },
      ),
    );
  };

  return (
    <Flex direction="column" gap="3" data-testid="settings-profiles">
      <Text as="p" size="2">
        {t('settings.prof.intro')}
      </Text>
      <Flex gap="2" wrap="wrap">
        <Button type="button" onClick={exportProfile} data-testid="settings-profile-export">
          {t('settings.prof.export')}
        </Button>
        <Button type="button" variant="soft" onClick={() => fileInput.current?.click()}>
          {t('settings.prof.import')}
        </Button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          data-testid="settings-profile-file"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) importProfile(file);
          }}
        />
      </Flex>
      {result ? (
        <Callout.Root color={result.tone} role={result.tone === 'red' ? 'alert' : 'status'} data-testid="settings-profile-result">
          {result.lines.map((line) => (
            <Callout.Text key={line}>{line}</Callout.Text>
          ))}
        </Callout.Root>
      ) : null}
    </Flex>
  );
}
