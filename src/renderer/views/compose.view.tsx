/**
 * Writing mail: a new mail (top bar, palette, `c`), a reply, reply all or forward of the selected
 * mail. A non-modal form in the right-hand column (like the outbox panel, not a Radix Dialog, whose
 * inline <style> the CSP blocks): Tab through real inputs, Ctrl+Enter sends, Escape closes — asking
 * first when something was typed or attached. Attachments are read in the window and staged with
 * the core (`mail.stageAttachment`) one by one, with progress; the 25 MB total is checked before any
 * file is read. Sending queues the mail in the outbox (shown there, counted by the offline banner).
 */
import { Button, Callout, Checkbox, Flex, Heading, IconButton, Kbd, Progress, Spinner, Text, TextArea, TextField } from '@radix-ui/themes';
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent, type KeyboardEvent, type ReactElement, type ReactNode } from 'react';
import { ApiCallError, type OutboxEntry, type Session } from '../../shared/api';
import { MAIL_MAX_ATTACHMENT_BYTES, type StagedAttachment } from '../../shared/actions';
import { readFileBase64 } from '../files/read-file';
import { formatFileSize } from '../format/date.format';
import {
  buildMailSend,
  checkAttachmentBudget,
  initialCompose,
  isComposeDirty,
  type ComposeErrors,
  type ComposeState,
} from '../mail/compose';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { useMailBodies } from '../state/mail-body.context';
import type { ComposeRequest } from './mail-actions.view';
import { WarningIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

interface FileRow {
  key: number;
  name: string;
  size: number;
  type: string;
  state: 'reading' | 'uploading' | 'ready' | 'error';
  progress: number;
  staged: StagedAttachment | null;
  error: string | null;
}

function Row({ label, htmlFor, error, field, children }: { label: string; htmlFor?: string; error?: string; field: string; children: ReactNode }): ReactElement {
  return (
    <div className="action-field compose-field" data-field={field}>
      <Text as="label" size="1" weight="bold" htmlFor={htmlFor} className="action-field__label">
        {label}
      </Text>
      {children}
      {error ? (
        <Text as="div" size="1" color="red" role="alert" data-testid="compose-error" data-field={field} id={`${htmlFor ?? field}-error`}>
          {error}
        </Text>
      ) : null}
    </div>
  );
}

interface ComposeFormProps {
  request: ComposeRequest;
  session: Session;
  onSent: (entry: OutboxEntry) => void;
  onClose: () => void;
  onDirtyChange: (dirty: boolean) => void;
}

export function ComposeForm({ request, session, onSent, onClose, onDirtyChange }: ComposeFormProps): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const bodies = useMailBodies();
  const account = session.mailAccounts.find((a) => a.backendId === request.backendId) ?? null;
  const [prepared, setPrepared] = useState<{ initial: ComposeState; note: string | null } | null>(() =>
    request.mode === 'new' || !request.detail
      ? { initial: initialCompose(request.mode, { backendId: request.backendId, ownAddress: account?.address ?? null, original: null, t, lang }), note: null }
      : null,
  );
  const [form, setForm] = useState<ComposeState | null>(prepared?.initial ?? null);
  const [files, setFiles] = useState<FileRow[]>([]);
  const [budget, setBudget] = useState<string | null>(null);
  const [errors, setErrors] = useState<ComposeErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [confirmClose, setConfirmClose] = useState(false);
  const formRef = useRef<HTMLFormElement | null>(null);
  const fileKey = useRef(0);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  // Replies and forwards start from the original's text (the body the core already cached).
  useEffect(() => {
    if (prepared !== null || !request.item || !request.detail) return;
    let cancelled = false;
    const detail = request.detail;
    const make = (text: string | null, note: string | null): void => {
      if (cancelled) return;
      const initial = initialCompose(request.mode, { backendId: request.backendId, ownAddress: account?.address ?? null, original: { detail, text }, t, lang });
      setPrepared({ initial, note });
      setForm(initial);
    };
    bodies.textOf(request.item.id).then(
      (text) => make(text, null),
      () => make(null, t('compose.quoteFromPreview')),
    );
    return () => {
      cancelled = true;
    };
    // Prepared once per request; the language at that moment is used for the quote header.
  }, [prepared, request, bodies]);

  // First field: the text for a reply (the recipients are filled in), the recipients otherwise.
  const focused = useRef(false);
  useEffect(() => {
    if (!form || focused.current) return;
    focused.current = true;
    requestAnimationFrame(() => {
      const root = formRef.current;
      if (!root) return;
      if (request.mode === 'reply' || request.mode === 'replyAll') {
        const area = root.querySelector<HTMLTextAreaElement>('textarea');
        area?.focus();
        area?.setSelectionRange(0, 0);
        if (area) area.scrollTop = 0;
      } else root.querySelector<HTMLInputElement>('#compose-to')?.focus();
    });
  }, [form, request.mode]);

  const dirty = form !== null && prepared !== null && (isComposeDirty(form, prepared.initial) || files.length > 0);
  useEffect(() => {
    onDirtyChange(dirty);
  }, [dirty, onDirtyChange]);

  const set = (patch: Partial<ComposeState>): void => setForm((f) => (f ? { ...f, ...patch } : f));
  const err = (field: keyof ComposeErrors): string | undefined => {
    const e = errors[field];
    return e ? t(e.key, e.values) : undefined;
  };

  const updateFile = (key: number, patch: Partial<FileRow>): void => {
    if (!mounted.current) return;
    setFiles((list) => list.map((f) => (f.key === key ? { ...f, ...patch } : f)));
  };

  const addFiles = (e: ChangeEvent<HTMLInputElement>): void => {
    const picked = Array.from(e.target.files ?? []);
    e.target.value = '';
    if (picked.length === 0) return;
    const current = files.filter((f) => f.state !== 'error').reduce((s, f) => s + f.size, 0);
    const check = checkAttachmentBudget(current, picked.map((f) => f.size));
    if (!check.ok) {
      setBudget(t('compose.errors.budget', { total: formatFileSize(lang, check.total), max: formatFileSize(lang, MAIL_MAX_ATTACHMENT_BYTES) }));
      return;
    }
    if (files.length + picked.length > 20) {
      setBudget(t('compose.errors.tooManyFiles', { max: 20 }));
      return;
    }
    setBudget(null);
    const rows: Array<{ row: FileRow; file: File }> = picked.map((file) => {
      fileKey.current += 1;
      return {
        file,
        row: { key: fileKey.current, name: file.name, size: file.size, type: file.type || 'application/octet-stream', state: 'reading', progress: 0, staged: null, error: null },
      };
    });
    setFiles((list) => [...list, ...rows.map((r) => r.row)]);
    // One at a time: the host takes one request body at a time anyway, and the bar reads better.
    void rows.reduce(
      (chain, { row, file }) =>
        chain.then(async () => {
          try {
            const data = await readFileBase64(file, (p) => updateFile(row.key, { progress: p }));
            updateFile(row.key, { state: 'uploading', progress: 1 });
            const staged = await api.call('mail.stageAttachment', { filename: row.name, contentType: row.type, dataBase64: data });
            updateFile(row.key, { state: 'ready', staged });
          } catch (error) {
            updateFile(row.key, { state: 'error', error: errorMessage(error) });
          }
        }),
      Promise.resolve(),
    );
  };

  const submit = (e?: FormEvent): void => {
    e?.preventDefault();
    if (!form || sending) return;
    setServerError(null);
    if (files.some((f) => f.state === 'reading' || f.state === 'uploading')) {
      setErrors({ attachments: { key: 'compose.errors.stillUploading' } });
      return;
    }
    if (files.some((f) => f.state === 'error')) {
      setErrors({ attachments: { key: 'compose.errors.failedFiles' } });
      return;
    }
    const attachments = files.flatMap((f) => (f.staged ? [f.staged] : []));
    const built = buildMailSend({ ...form, attachments });
    if (!built.ok) {
      setErrors(built.errors);
      const first = Object.keys(built.errors)[0];
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"] input, [data-field="${first}"] textarea`)?.focus());
      return;
    }
    setErrors({});
    setSending(true);
    const call =
      request.mode === 'new' || !request.item
        ? api.call('mail.compose', { backendId: form.backendId, action: built.action })
        : api.call('action.submit', { itemId: request.item.id, action: built.action, baseUpdatedAt: request.item.updatedAt });
    call.then(
      (entry) => {
        if (!mounted.current) return;
        setSending(false);
        onSent(entry);
      },
      (error: unknown) => {
        if (!mounted.current) return;
        setSending(false);
        const details = error instanceof ApiCallError && error.error.details ? ` (${error.error.details.join('; ')})` : '';
        setServerError(t('compose.refused', { message: errorMessage(error) + details }));
      },
    );
  };

  const cancel = (): void => {
    if (dirty) setConfirmClose(true);
    else onClose();
  };
  const confirmRef = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    if (confirmClose) confirmRef.current?.focus();
  }, [confirmClose]);

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>): void => {
    if (e.nativeEvent.isComposing) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (confirmClose) setConfirmClose(false);
      else cancel();
      return;
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  };

  const title =
    request.mode === 'new'
      ? t('compose.titleNew')
      : t(`compose.title.${request.mode}`, { subject: request.detail?.subject ?? '' });

  if (!form) {
    return (
      <div className="side-panel compose" data-testid="compose" data-mode={request.mode} data-state="preparing">
        <header className="side-panel__header">
          <Heading as="h2" size="3" id="compose-title">
            {title}
          </Heading>
        </header>
        <Flex align="center" gap="2" p="3" role="status">
          <Spinner />
          <Text size="2" color="gray">
            {t('compose.preparing')}
          </Text>
        </Flex>
      </div>
    );
  }

  const original = request.detail;
  const totalBytes = files.filter((f) => f.state !== 'error').reduce((s, f) => s + f.size, 0);

  return (
    <div className="side-panel compose" data-testid="compose" data-mode={request.mode} data-state="ready" aria-labelledby="compose-title">
      <header className="side-panel__header">
        <Heading as="h2" size="3" id="compose-title" className="compose__title">
          {title}
        </Heading>
        <Button size="1" variant="ghost" color="gray" onClick={cancel} className="side-panel__close" data-testid="compose-close" aria-label={t('compose.close')}>
          {t('compose.close')} <Kbd size="1">Esc</Kbd>
        </Button>
      </header>
      <form ref={formRef} className="compose__form" onSubmit={submit} onKeyDown={onKeyDown} data-shortcut-zone="off" noValidate aria-labelledby="compose-title">
        {prepared?.note ? (
          <Text as="div" size="1" color="amber" role="status">
            {prepared.note}
          </Text>
        ) : null}
        <Row label={t('compose.from')} field="from" htmlFor="compose-from">
          {request.mode === 'new' && session.mailAccounts.length > 1 ? (
            <select id="compose-from" className="native-select" value={form.backendId} onChange={(e) => set({ backendId: e.target.value })} data-testid="compose-from">
              {session.mailAccounts.map((a) => (
                <option key={a.backendId} value={a.backendId}>
                  {a.displayName ? `${a.displayName} <${a.address}>` : a.address}
                </option>
              ))}
            </select>
          ) : (
            <Text as="div" size="2" id="compose-from" data-testid="compose-from">
              {(() => {
                const a = session.mailAccounts.find((x) => x.backendId === form.backendId);
                return a ? (a.displayName ? `${a.displayName} <${a.address}>` : a.address) : form.backendId;
              })()}
            </Text>
          )}
        </Row>
        <Row label={t('compose.to')} field="to" htmlFor="compose-to" error={err('to')}>
          <TextField.Root
            id="compose-to"
            size="2"
            value={form.to}
            onChange={(e) => set({ to: e.target.value })}
            placeholder={t('compose.addressPlaceholder')}
            aria-invalid={errors.to ? true : undefined}
            aria-describedby={errors.to ? 'compose-to-error' : 'compose-to-hint'}
            data-testid="compose-to"
            autoComplete="off"
          />
          <Text as="div" size="1" color="gray" id="compose-to-hint">
            {t('compose.addressHint')}
          </Text>
        </Row>
        {form.showCcBcc ? (
          <>
            <Row label={t('compose.cc')} field="cc" htmlFor="compose-cc" error={err('cc')}>
              <TextField.Root id="compose-cc" size="2" value={form.cc} onChange={(e) => set({ cc: e.target.value })} aria-invalid={errors.cc ? true : undefined} aria-describedby={errors.cc ? 'compose-cc-error' : undefined} data-testid="compose-cc" autoComplete="off" />
            </Row>
            <Row label={t('compose.bcc')} field="bcc" htmlFor="compose-bcc" error={err('bcc')}>
              <TextField.Root id="compose-bcc" size="2" value={form.bcc} onChange={(e) => set({ bcc: e.target.value })} aria-invalid={errors.bcc ? true : undefined} aria-describedby={errors.bcc ? 'compose-bcc-error' : undefined} data-testid="compose-bcc" autoComplete="off" />
            </Row>
          </>
        ) : (
          <Button type="button" size="1" variant="ghost" className="compose__ccbcc" onClick={() => set({ showCcBcc: true })} data-testid="compose-show-cc">
            {t('compose.showCcBcc')}
          </Button>
        )}
        <Row label={t('compose.subject')} field="subject" htmlFor="compose-subject" error={err('subject')}>
          <TextField.Root id="compose-subject" size="2" value={form.subject} onChange={(e) => set({ subject: e.target.value })} maxLength={998} data-testid="compose-subject" autoComplete="off" />
        </Row>
        <Row label={t('compose.text')} field="text" htmlFor="compose-text" error={err('text')}>
          <TextArea id="compose-text" size="2" rows={14} value={form.text} onChange={(e) => set({ text: e.target.value })} className="compose__text" data-testid="compose-text" />
        </Row>
        <Row label={t('compose.attachments')} field="attachments" htmlFor="compose-files" error={err('attachments')}>
          <input id="compose-files" type="file" multiple className="compose__files" onChange={addFiles} data-testid="compose-files" aria-describedby="compose-files-hint" />
          <Text as="div" size="1" color="gray" id="compose-files-hint">
            {t('compose.attachmentsHint', { total: formatFileSize(lang, totalBytes), max: formatFileSize(lang, MAIL_MAX_ATTACHMENT_BYTES) })}
          </Text>
          {budget ? (
            <Text as="div" size="1" color="red" role="alert" data-testid="compose-budget-error">
              {budget}
            </Text>
          ) : null}
          {files.length > 0 ? (
            <ul className="compose__file-list" data-testid="compose-file-list">
              {files.map((f) => (
                <li key={f.key} data-testid="compose-file" data-state={f.state} data-name={f.name}>
                  <Flex align="center" gap="2">
                    <Text size="1" weight="medium" className="break-word compose__file-name">
                      {f.name}
                    </Text>
                    <Text size="1" color="gray">
                      {formatFileSize(lang, f.size)}
                    </Text>
                    <Text size="1" color={f.state === 'error' ? 'red' : f.state === 'ready' ? 'green' : 'gray'} role={f.state === 'error' ? 'alert' : undefined}>
                      {f.state === 'reading'
                        ? t('compose.fileReading', { percent: Math.round(f.progress * 100) })
                        : f.state === 'uploading'
                          ? t('compose.fileUploading')
                          : f.state === 'ready'
                            ? t('compose.fileReady')
                            : t('compose.fileFailed', { message: f.error ?? '' })}
                    </Text>
                    <IconButton
                      type="button"
                      size="1"
                      variant="ghost"
                      color="gray"
                      aria-label={t('compose.fileRemove', { name: f.name })}
                      title={t('compose.fileRemove', { name: f.name })}
                      disabled={f.state === 'reading' || f.state === 'uploading'}
                      onClick={() => setFiles((list) => list.filter((x) => x.key !== f.key))}
                      data-testid="compose-file-remove"
                    >
                      ×
                    </IconButton>
                  </Flex>
                  {f.state === 'reading' || f.state === 'uploading' ? (
                    <Progress size="1" value={f.state === 'uploading' ? undefined : Math.round(f.progress * 100)} aria-label={t('compose.fileProgress', { name: f.name })} />
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
          {request.mode === 'forward' && original && original.attachments.length > 0 ? (
            <Text as="label" size="1" className="compose__include">
              <Checkbox size="1" checked={form.includeOriginalAttachments} onCheckedChange={(v) => set({ includeOriginalAttachments: v === true })} data-testid="compose-include-original" />
              {t('compose.includeOriginal', { count: original.attachments.length })}
            </Text>
          ) : null}
        </Row>
        {errors.form ? (
          <Text as="div" size="1" color="red" role="alert" data-testid="compose-error" data-field="form">
            {t(errors.form.key)}
          </Text>
        ) : null}
        {serverError ? (
          <Callout.Root color="red" size="1" role="alert" data-testid="compose-server-error">
            <Callout.Icon>
              <WarningIcon />
            </Callout.Icon>
            <Callout.Text>{serverError}</Callout.Text>
          </Callout.Root>
        ) : null}
        {confirmClose ? (
          <div className="compose__confirm" role="group" aria-label={t('compose.discardLabel')} data-testid="compose-confirm-close">
            <Text as="div" size="2" weight="bold">
              {t('compose.discardQuestion')}
            </Text>
            <Flex gap="2" mt="1">
              <Button ref={confirmRef} type="button" size="1" color="red" onClick={onClose} data-testid="compose-discard">
                {t('compose.discard')}
              </Button>
              <Button type="button" size="1" variant="soft" color="gray" onClick={() => setConfirmClose(false)} data-testid="compose-keep">
                {t('compose.keepWriting')}
              </Button>
            </Flex>
          </div>
        ) : (
          <Flex gap="2" align="center" mt="1">
            <Button type="submit" size="2" disabled={sending} data-testid="compose-send">
              {sending ? <Spinner size="1" /> : null}
              {t('compose.send')}
            </Button>
            <Button type="button" size="2" variant="soft" color="gray" onClick={cancel} data-testid="compose-cancel">
              {t('compose.cancel')}
            </Button>
            <Text size="1" color="gray" className="action-form__keys">
              {t('compose.keys')}
            </Text>
          </Flex>
        )}
      </form>
    </div>
  );
}

/** Starting another mail while one is being written: keep it or drop it (asked, never silently). */
export function ComposeReplaceBar({ onReplace, onKeep }: { onReplace: () => void; onKeep: () => void }): ReactElement {
  const { t } = useTr();
  const keepRef = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    keepRef.current?.focus();
  }, []);
  return (
    <div className="compose__replace" role="group" aria-label={t('compose.replaceLabel')} data-testid="compose-replace">
      <Text as="div" size="2" weight="bold">
        {t('compose.replaceQuestion')}
      </Text>
      <Flex gap="2" mt="1">
        <Button ref={keepRef} size="1" variant="soft" onClick={onKeep} data-testid="compose-replace-keep">
          {t('compose.replaceKeep')}
        </Button>
        <Button size="1" color="red" variant="soft" onClick={onReplace} data-testid="compose-replace-drop">
          {t('compose.replaceDrop')}
        </Button>
      </Flex>
    </div>
  );
}
