/**
 * Training mode: the signed-in user in the top bar opens a choice of role (counter official,
 * supervisor, IT officer of the sandbox), so trainees see every role's screens without a
 * configuration file. The core stores the choice and is rebuilt (training.setRole); the window then
 * loads again as that user, so no screen keeps the previous role's state. Not shown outside training.
 */
import { Flex, Popover, RadioGroup, Spinner, Text } from '@radix-ui/themes';
import { useState, type ReactElement } from 'react';
import { ROLES, type Role, type Session } from '../../shared/api';
import { useTr } from '../i18n.hooks';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';

export function TrainingRoleSwitch({ session }: { session: Session }): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const current = session.user.role;

  const choose = (value: string): void => {
    const role = ROLES.find((r) => r === value);
    if (role === undefined || role === current || busy) return;
    setBusy(true);
    setFailure(null);
    api.call('training.setRole', { role }).then(
      () => window.location.reload(),
      (error: unknown) => {
        setBusy(false);
        setFailure(errorMessage(error));
      },
    );
  };

  return (
    <Popover.Root>
      <Popover.Trigger>
        <button type="button" className="top-bar__user top-bar__user--switch" data-testid="training-role-trigger" aria-label={t('trainingRole.open', { name: session.user.fullName, role: t(`role.${current}`), username: session.user.username })}>
          <Text as="div" size="2" weight="medium" className="top-bar__user-name">
            {session.user.fullName}
          </Text>
          <Text as="div" size="1" color="gray">
            {t(`role.${current}`)} · {session.user.username}
          </Text>
        </button>
      </Popover.Trigger>
      <Popover.Content size="1" align="end" maxWidth="320px" data-testid="training-role-menu" aria-label={t('trainingRole.title')}>
        <Text as="div" size="2" weight="bold" mb="1" id="training-role-title">
          {t('trainingRole.title')}
        </Text>
        <Text as="p" size="1" color="gray" mb="2">
          {t('trainingRole.hint')}
        </Text>
        <RadioGroup.Root size="2" value={current} onValueChange={choose} disabled={busy} aria-labelledby="training-role-title">
          {ROLES.map((role: Role) => (
            <RadioGroup.Item key={role} value={role} data-testid={`training-role-${role}`}>
              {t(`role.${role}`)}
            </RadioGroup.Item>
          ))}
        </RadioGroup.Root>
        <div role="status" aria-live="polite">
          {busy ? (
            <Flex align="center" gap="2" mt="2">
              <Spinner size="1" />
              <Text size="1">{t('trainingRole.switching')}</Text>
            </Flex>
          ) : null}
          {failure !== null ? (
            <Text as="p" size="1" color="red" mt="2" data-testid="training-role-error">
              {t('trainingRole.failed', { reason: failure })}
            </Text>
          ) : null}
        </div>
      </Popover.Content>
    </Popover.Root>
  );
}
