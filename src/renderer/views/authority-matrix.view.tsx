/**
 * Issue #5: the editable authority matrix — one row per procedure / document type in the cache, one
 * checkbox column per official. Saving sends the whole matrix (`authority.set`); the core validates
 * it and audits the change; errors are shown in Vietnamese and the edits stay on screen.
 */
import { Button, Callout, Flex, Text } from '@radix-ui/themes';
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import { authorityKey, type AuthorityMatrix, type AuthorityRule } from '../../shared/dashboard';
import { useTr } from '../i18n.hooks';
import { useApi } from '../state/api.context';
import { authorityStoreOf } from '../state/authority.store';
import { errorMessage } from '../state/error-message';

interface Props {
  onNotice: (text: string, tone: 'info' | 'error') => void;
  onSaved: () => void;
}

const cellKey = (source: string, kind: string, username: string): string => `${authorityKey(source, kind)}\u0000${username}`;

export function AuthorityMatrixEditor({ onNotice, onSaved }: Props): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const [matrix, setMatrix] = useState<AuthorityMatrix | null>(null);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.call('authority.get', {}).then(
      (m) => {
        if (!live) return;
        setMatrix(m);
        setChecked(new Set(m.rules.map((r) => cellKey(r.source, r.kind, r.username))));
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const rules = useMemo((): AuthorityRule[] => {
    if (!matrix) return [];
    const out: AuthorityRule[] = [];
    for (const k of matrix.kinds) {
      for (const o of matrix.officials) if (checked.has(cellKey(k.source, k.kind, o.username))) out.push({ source: k.source, kind: k.kind, username: o.username });
    }
    return out;
  }, [matrix, checked]);

  if (!matrix) {
    return error ? (
      <Callout.Root color="red" size="1">
        <Callout.Text>{error}</Callout.Text>
      </Callout.Root>
    ) : (
      <Text size="2">{t('dashboard.matrix.loading')}</Text>
    );
  }

  const toggle = (key: string): void => {
    setChecked((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  };

  const save = (): void => {
    setSaving(true);
    setError(null);
    api.call('authority.set', { rules }).then(
      (m) => {
        setSaving(false);
        setMatrix(m);
        authorityStoreOf(api).set(m.rules);
        onNotice(t('dashboard.matrix.saved'), 'info');
        onSaved();
      },
      (err: unknown) => {
        setSaving(false);
        const message = errorMessage(err);
        setError(message);
        onNotice(t('dashboard.matrix.saveFailed', { message }), 'error');
      },
    );
  };

  return (
    <div className="authority-matrix" data-testid="authority-matrix">
      <Text as="p" size="2" color="gray">
        {t('dashboard.matrix.hint')}
      </Text>
      <div className="dashboard__scroll" tabIndex={0} role="region" aria-label={t('dashboard.matrix.title')}>
        <table className="dashboard-table authority-matrix__table">
          <thead>
            <tr>
              <th scope="col">{t('dashboard.cols.kind')}</th>
              {matrix.officials.map((o) => (
                <th scope="col" key={o.username}>
                  {o.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.kinds.map((k) => (
              <tr key={authorityKey(k.source, k.kind)} data-kind={k.kind}>
                <th scope="row">
                  <span className="authority-matrix__source">{t(`dashboard.matrix.${k.source === 'procedure' ? 'dossier' : 'document'}`)}</span> {k.kind}
                </th>
                {matrix.officials.map((o) => {
                  const key = cellKey(k.source, k.kind, o.username);
                  return (
                    <td key={o.username} className="authority-matrix__cell">
                      <input
                        type="checkbox"
                        checked={checked.has(key)}
                        onChange={() => toggle(key)}
                        aria-label={t('dashboard.matrix.cell', { official: o.name, kind: k.kind })}
                        data-testid={`matrix-${o.username}`}
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error ? (
        <Callout.Root color="red" size="1" role="alert" data-testid="matrix-error">
          <Callout.Text>{error}</Callout.Text>
        </Callout.Root>
      ) : null}
      <Flex gap="2" mt="2">
        <Button onClick={save} disabled={saving} data-testid="matrix-save">
          {t('dashboard.matrix.save')}
        </Button>
      </Flex>
    </div>
  );
}
