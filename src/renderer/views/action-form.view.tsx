/**
 * The compact form of one action, inside the detail pane. Plain form semantics: Enter submits
 * (Shift+Enter for a new line in a text area), Escape cancels; every control is a real input,
 * radio or checkbox reachable with Tab. The form handles its own keys (data-shortcut-zone="off").
 */
import { Button, Callout, Checkbox, Flex, IconButton, Radio, RadioGroup, Text, TextArea, TextField } from '@radix-ui/themes';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactElement, type ReactNode } from 'react';
import { ApiCallError, type OutboxEntry, type Session } from '../../shared/api';
import type { ItemActionKind } from '../../shared/actions';
import type { ItemDetail, WorkItem } from '../../shared/work-item';
import { isDestructive } from '../actions/action-catalog';
import { buildAction, FORM_FIELDS, initialForm, otherOfficials, parseAmount, type ActionFormState, type FormErrors } from '../actions/action-form';
import { formatMoney } from '../format/date.format';
import { actionLabel } from '../outbox/outbox-words';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { WarningIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

interface ActionFormProps {
  kind: ItemActionKind;
  item: WorkItem;
  detail: ItemDetail;
  session: Session;
  /** Server clock minus the PC's (session.now − Date.now() at start). */
  clockOffset: number;
  onCancel: () => void;
  onSubmitted: (entry: OutboxEntry) => void;
}

function FieldRow({ label, htmlFor, error, field, children, hint }: { label: string; htmlFor?: string; error?: string; field: string; children: ReactNode; hint?: string }): ReactElement {
  return (
    <div className="action-field" data-field={field}>
      <Text as="label" size="1" weight="bold" htmlFor={htmlFor} className="action-field__label">
        {label}
      </Text>
      {children}
      {hint && !error ? (
        <Text as="div" size="1" color="gray">
          {hint}
        </Text>
      ) : null}
      {error ? (
        <Text as="div" size="1" color="red" role="alert" data-testid="action-error" data-field={field}>
          {error}
        </Text>
      ) : null}
    </div>
  );
}

export function ActionForm({ kind, item, detail, session, clockOffset, onCancel, onSubmitted }: ActionFormProps): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const formRef = useRef<HTMLFormElement | null>(null);
  // The form starts from the item as it was when opened; a live refresh does not reset typing.
  const [form, setForm] = useState<ActionFormState>(() =>
    initialForm(kind, {
      item,
      detail,
      now: Date.now() + clockOffset,
      me: session.user.username,
      officials: session.officials,
      replySubject: (ref: string) => t('actionForm.replySubject', { ref }),
    }),
  );
  const [errors, setErrors] = useState<FormErrors>({});
  const [serverError, setServerError] = useState<{ message: string; details: string[] } | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const fields = FORM_FIELDS[kind];
  const others = otherOfficials(session.officials, session.user.username);
  const idBase = `act-${kind.replace('.', '-')}`;
  const set = (patch: Partial<ActionFormState>): void => setForm((f) => ({ ...f, ...patch }));
  const err = (key: string): string | undefined => {
    const k = errors[key];
    return k ? t(k) : undefined;
  };

  useEffect(() => {
    const first = formRef.current?.querySelector<HTMLElement>('input:not([type=hidden]), textarea, button[role=radio], [role=radio]');
    first?.focus();
  }, []);

  const focusError = (errs: FormErrors): void => {
    const key = Object.keys(errs)[0];
    if (!key) return;
    requestAnimationFrame(() => {
      const row = formRef.current?.querySelector<HTMLElement>(`[data-focus-key="${key}"]`) ?? formRef.current?.querySelector<HTMLElement>(`[data-field="${key.split('.')[0]}"]`);
      const target = row?.matches('input, textarea, button') ? row : row?.querySelector<HTMLElement>('input, textarea, button[role=radio]');
      target?.focus();
    });
  };

  const submit = (e?: FormEvent): void => {
    e?.preventDefault();
    if (submitting) return;
    setServerError(null);
    const result = buildAction(kind, form, { now: Date.now() + clockOffset, me: session.user.username, officials: session.officials });
    if (!result.ok) {
      setErrors(result.errors);
      focusError(result.errors);
      return;
    }
    setErrors({});
    setSubmitting(true);
    // The version on screen when the official confirms: the backend refuses (conflict) if it moved on.
    api.call('action.submit', { itemId: item.id, action: result.action, baseUpdatedAt: item.updatedAt }).then(
      (entry) => {
        setSubmitting(false);
        onSubmitted(entry);
      },
      (error: unknown) => {
        setSubmitting(false);
        // A refusal from the core (invalid_input…) is shown in its own words.
        const details = error instanceof ApiCallError ? (error.error.details ?? []) : [];
        setServerError({ message: errorMessage(error), details });
      },
    );
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>): void => {
    if (e.nativeEvent.isComposing) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey) {
      const target = e.target as HTMLElement;
      const role = target.getAttribute('role');
      const isToggle = role === 'radio' || role === 'checkbox' || (target instanceof HTMLInputElement && ['radio', 'checkbox'].includes(target.type));
      if (target.tagName === 'TEXTAREA' || isToggle) {
        e.preventDefault();
        submit();
      }
    }
  };

  const feeTotal = form.fees.reduce((s, r) => s + (parseAmount(r.amount) ?? 0), 0);

  const renderField = (field: (typeof fields)[number]): ReactElement | null => {
    const id = `${idBase}-${field}`;
    switch (field) {
      case 'note':
        return (
          <FieldRow key={field} field={field} label={t(kind === 'dossier.receive' ? 'actionForm.receiveNote' : 'actionForm.note')} htmlFor={id} error={err('note')}>
            <TextArea id={id} size="1" rows={2} value={form.note} onChange={(e) => set({ note: e.target.value })} data-testid="action-field-note" maxLength={2000} />
          </FieldRow>
        );
      case 'reason':
        return (
          <FieldRow key={field} field={field} label={t(`actionForm.reasonLabel.${kind}`, { defaultValue: t('actionForm.reason') })} htmlFor={id} error={err('reason')}>
            <TextArea id={id} size="1" rows={2} value={form.reason} onChange={(e) => set({ reason: e.target.value })} data-testid="action-field-reason" maxLength={1000} aria-invalid={errors['reason'] ? true : undefined} />
          </FieldRow>
        );
      case 'missing':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.missing')} htmlFor={id} error={err('missing')} hint={t('actionForm.missingHint')}>
            <TextArea id={id} size="1" rows={3} value={form.missing} onChange={(e) => set({ missing: e.target.value })} data-testid="action-field-missing" maxLength={1000} />
          </FieldRow>
        );
      case 'toUser':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.toUser')} error={err('toUser')}>
            {others.length === 0 ? (
              <Text size="1" color="gray">
                {t('actionForm.noOfficials')}
              </Text>
            ) : (
              <RadioGroup.Root size="1" value={form.toUser} onValueChange={(v) => set({ toUser: v })} aria-label={t('actionForm.toUser')} data-testid="action-field-toUser">
                {others.map((o) => (
                  <RadioGroup.Item key={o.username} value={o.username} data-testid="action-official" data-username={o.username}>
                    {o.fullName}
                    {o.title ? <Text color="gray"> · {o.title}</Text> : null}
                  </RadioGroup.Item>
                ))}
              </RadioGroup.Root>
            )}
          </FieldRow>
        );
      case 'fees':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.fees')} error={err('fees')}>
            <table className="action-fees">
              <thead>
                <tr>
                  <th scope="col">{t('actionForm.feeName')}</th>
                  <th scope="col" className="num">
                    {t('actionForm.feeAmount')}
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">{t('actionForm.feeRemove')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {form.fees.map((row, i) => (
                  <tr key={i}>
                    <td>
                      <TextField.Root
                        size="1"
                        value={row.name}
                        aria-label={t('actionForm.feeName')}
                        data-focus-key={`fees.${i}.name`}
                        data-testid="action-fee-name"
                        onChange={(e) => set({ fees: form.fees.map((r, j) => (j === i ? { ...r, name: e.target.value } : r)) })}
                      />
                      {err(`fees.${i}.name`) ? (
                        <Text as="div" size="1" color="red" data-testid="action-error" data-field={`fees.${i}.name`}>
                          {err(`fees.${i}.name`)}
                        </Text>
                      ) : null}
                    </td>
                    <td className="num">
                      <TextField.Root
                        size="1"
                        inputMode="numeric"
                        value={row.amount}
                        aria-label={t('actionForm.feeAmount')}
                        data-focus-key={`fees.${i}.amount`}
                        data-testid="action-fee-amount"
                        onChange={(e) => set({ fees: form.fees.map((r, j) => (j === i ? { ...r, amount: e.target.value } : r)) })}
                      />
                      {err(`fees.${i}.amount`) ? (
                        <Text as="div" size="1" color="red" data-testid="action-error" data-field={`fees.${i}.amount`}>
                          {err(`fees.${i}.amount`)}
                        </Text>
                      ) : null}
                    </td>
                    <td>
                      <IconButton
                        type="button"
                        size="1"
                        variant="ghost"
                        color="gray"
                        aria-label={t('actionForm.feeRemove')}
                        title={t('actionForm.feeRemove')}
                        disabled={form.fees.length <= 1}
                        onClick={() => set({ fees: form.fees.filter((_, j) => j !== i) })}
                      >
                        ×
                      </IconButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Flex justify="between" align="center">
              <Button type="button" size="1" variant="ghost" onClick={() => set({ fees: [...form.fees, { name: '', amount: '' }] })} disabled={form.fees.length >= 20} data-testid="action-fee-add">
                {t('actionForm.feeAdd')}
              </Button>
              <Text size="1" weight="bold">
                {t('actionForm.feeTotal', { total: formatMoney(lang, feeTotal) })}
              </Text>
            </Flex>
          </FieldRow>
        );
      case 'resultName':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.resultName')} htmlFor={id} error={err('resultName')}>
            <TextField.Root id={id} size="1" value={form.resultName} onChange={(e) => set({ resultName: e.target.value })} placeholder={t('actionForm.resultNamePlaceholder')} data-testid="action-field-resultName" maxLength={300} />
          </FieldRow>
        );
      case 'method':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.method')}>
            <RadioGroup.Root size="1" value={form.method} onValueChange={(v) => set({ method: v === '1' ? '1' : '0' })} aria-label={t('actionForm.method')} data-testid="action-field-method">
              <RadioGroup.Item value="0">{t('returnMethod.0')}</RadioGroup.Item>
              <RadioGroup.Item value="1">{t('returnMethod.1')}</RadioGroup.Item>
            </RadioGroup.Root>
          </FieldRow>
        );
      case 'newAppointment':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.newAppointment')} htmlFor={id} error={err('newAppointment')} hint={t('actionForm.newAppointmentHint')}>
            <TextField.Root id={id} size="1" type="datetime-local" value={form.newAppointment} onChange={(e) => set({ newAppointment: e.target.value })} data-testid="action-field-newAppointment" />
          </FieldRow>
        );
      case 'incomingNumber':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.incomingNumber')} htmlFor={id} error={err('incomingNumber')}>
            <TextField.Root id={id} size="1" value={form.incomingNumber} onChange={(e) => set({ incomingNumber: e.target.value })} data-testid="action-field-incomingNumber" maxLength={50} />
          </FieldRow>
        );
      case 'incomingDate':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.incomingDate')} htmlFor={id} error={err('incomingDate')}>
            <TextField.Root id={id} size="1" type="date" value={form.incomingDate} onChange={(e) => set({ incomingDate: e.target.value })} data-testid="action-field-incomingDate" />
          </FieldRow>
        );
      case 'assignees':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.assignees')} error={err('assignees')}>
            {session.officials.length === 0 ? (
              <Text size="1" color="gray">
                {t('actionForm.noOfficials')}
              </Text>
            ) : (
              <table className="action-assign" data-testid="action-field-assignees">
                <thead>
                  <tr>
                    <th scope="col">{t('actionForm.official')}</th>
                    <th scope="col">{t('actionForm.lead')}</th>
                    <th scope="col">{t('actionForm.cooperating')}</th>
                    <th scope="col">{t('actionForm.forInfo')}</th>
                  </tr>
                </thead>
                <tbody>
                  {session.officials.map((o) => {
                    const isLead = form.lead === o.username;
                    return (
                      <tr key={o.username} data-username={o.username}>
                        <th scope="row">
                          <div>{o.fullName}</div>
                          {o.title ? <div className="data-table__muted">{o.title}</div> : null}
                        </th>
                        <td>
                          <Radio
                            size="1"
                            name={`${idBase}-lead`}
                            value={o.username}
                            checked={isLead}
                            aria-label={`${t('actionForm.lead')}: ${o.fullName}`}
                            data-testid="action-assign-lead"
                            onValueChange={() =>
                              set({ lead: o.username, cooperating: form.cooperating.filter((u) => u !== o.username), forInfo: form.forInfo.filter((u) => u !== o.username) })
                            }
                          />
                        </td>
                        <td>
                          <Checkbox
                            size="1"
                            checked={form.cooperating.includes(o.username)}
                            disabled={isLead}
                            aria-label={`${t('actionForm.cooperating')}: ${o.fullName}`}
                            data-testid="action-assign-cooperating"
                            onCheckedChange={(v) =>
                              set({
                                cooperating: v === true ? [...form.cooperating, o.username] : form.cooperating.filter((u) => u !== o.username),
                                forInfo: form.forInfo.filter((u) => u !== o.username),
                              })
                            }
                          />
                        </td>
                        <td>
                          <Checkbox
                            size="1"
                            checked={form.forInfo.includes(o.username)}
                            disabled={isLead}
                            aria-label={`${t('actionForm.forInfo')}: ${o.fullName}`}
                            data-testid="action-assign-forinfo"
                            onCheckedChange={(v) =>
                              set({
                                forInfo: v === true ? [...form.forInfo, o.username] : form.forInfo.filter((u) => u !== o.username),
                                cooperating: form.cooperating.filter((u) => u !== o.username),
                              })
                            }
                          />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </FieldRow>
        );
      case 'internalDue':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.internalDue')} htmlFor={id} error={err('internalDue')}>
            <TextField.Root id={id} size="1" type="datetime-local" value={form.internalDue} onChange={(e) => set({ internalDue: e.target.value })} data-testid="action-field-internalDue" />
          </FieldRow>
        );
      case 'instruction':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.instruction')} htmlFor={id} error={err('instruction')}>
            <TextArea id={id} size="1" rows={2} value={form.instruction} onChange={(e) => set({ instruction: e.target.value })} data-testid="action-field-instruction" maxLength={2000} />
          </FieldRow>
        );
      case 'subject':
        return (
          <FieldRow key={field} field={field} label={t('actionForm.subject')} htmlFor={id} error={err('subject')}>
            <TextField.Root id={id} size="1" value={form.subject} onChange={(e) => set({ subject: e.target.value })} data-testid="action-field-subject" maxLength={1000} />
          </FieldRow>
        );
      default:
        return null;
    }
  };

  const name = actionLabel(t, kind);
  return (
    <form
      ref={formRef}
      className="action-form"
      data-testid="action-form"
      data-kind={kind}
      data-shortcut-zone="off"
      aria-label={name}
      noValidate
      onSubmit={submit}
      onKeyDown={onKeyDown}
    >
      <Text as="div" size="2" weight="bold" className="action-form__title">
        {name}
      </Text>
      {fields.map(renderField)}
      {errors['form'] ? (
        <Text as="div" size="1" color="red" role="alert" data-testid="action-error" data-field="form">
          {t(errors['form'])}
        </Text>
      ) : null}
      {serverError ? (
        <Callout.Root color="red" size="1" role="alert" data-testid="action-form-error">
          <Callout.Icon>
            <WarningIcon />
          </Callout.Icon>
          <Callout.Text>
            {t('actionForm.refused', { message: serverError.message })}
            {serverError.details.length > 0 ? (
              <ul className="action-form__details">
                {serverError.details.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            ) : null}
          </Callout.Text>
        </Callout.Root>
      ) : null}
      <Flex gap="2" align="center" mt="1">
        <Button type="submit" size="1" color={isDestructive(kind) ? 'red' : undefined} disabled={submitting} data-testid="action-submit">
          {t('actionForm.submit', { action: name })}
        </Button>
        <Button type="button" size="1" variant="soft" color="gray" onClick={onCancel} data-testid="action-cancel">
          {t('actionForm.cancel')}
        </Button>
        <Text size="1" color="gray" className="action-form__keys">
          {t('actionForm.keys')}
        </Text>
      </Flex>
    </form>
  );
}
