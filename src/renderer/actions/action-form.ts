/**
 * The compact form behind each action: which fields it has, their starting values, and turning the
 * typed values into a contract `ItemAction` — or a list of problems, as i18n keys (Vietnamese by
 * default) per field. Pure: no React, no DOM, unit-tested.
 */
import { ItemActionSchema, type ItemAction, type ItemActionKind } from '../../shared/actions';
import type { ItemDetail, WorkItem } from '../../shared/work-item';
import { fromOfficeDateInput, fromOfficeDateTimeInput, toOfficeDateInput, toOfficeDateTimeInput } from '../format/office-input';

export type FieldName =
  | 'note'
  | 'reason'
  | 'toUser'
  | 'missing'
  | 'fees'
  | 'resultName'
  | 'method'
  | 'newAppointment'
  | 'incomingNumber'
  | 'incomingDate'
  | 'assignees'
  | 'internalDue'
  | 'instruction'
  | 'subject';

export interface FeeRow {
  name: string;
  /** As typed: "50.000", "50000", "50 000 đ"… */
  amount: string;
}

export interface ActionFormState {
  note: string;
  reason: string;
  toUser: string;
  missing: string;
  fees: FeeRow[];
  resultName: string;
  method: '0' | '1';
  newAppointment: string;
  incomingNumber: string;
  incomingDate: string;
  lead: string;
  cooperating: string[];
  forInfo: string[];
  internalDue: string;
  instruction: string;
  subject: string;
}

/** The fields each action's form shows, in order (the first one takes focus). */
export const FORM_FIELDS: Readonly<Record<ItemActionKind, readonly FieldName[]>> = {
  'dossier.receive': ['note'],
  'dossier.refuse': ['reason'],
  'dossier.forward': ['toUser', 'note'],
  'dossier.sendBack': ['reason'],
  'dossier.requestSupplement': ['missing', 'note'],
  'dossier.supplementReceived': ['note'],
  'dossier.requestFees': ['fees'],
  'dossier.recordResult': ['resultName', 'note'],
  'dossier.returnResult': ['method'],
  'dossier.stop': ['reason'],
  'dossier.apology': ['newAppointment', 'reason'],
  // A new dossier has its own form (the citizen screen), not this one.
  'dossier.register': [],
  'document.register': ['incomingNumber', 'incomingDate'],
  'document.refuse': ['reason'],
  'document.assign': ['assignees', 'internalDue', 'instruction'],
  'document.inProgress': ['note'],
  'document.done': ['note'],
  'document.reply': ['subject', 'note'],
  // Mail actions have their own UI (flag buttons, the compose form), not this form.
  'mail.markSeen': [],
  'mail.flag': [],
  'mail.send': [],
};

export interface Official {
  username: string;
  fullName: string;
  title: string | null;
}

export interface FormContext {
  item: WorkItem;
  detail: ItemDetail | null;
  /** Server time (ms). */
  now: number;
  me: string;
  officials: readonly Official[];
  /** Subject template for replies, e.g. "V/v trả lời văn bản số {{ref}}" in the UI language. */
  replySubject: (ref: string) => string;
}

/** Officials one can hand work to: everyone but me. */
export function otherOfficials(officials: readonly Official[], me: string): Official[] {
  return officials.filter((o) => o.username !== me);
}

const HOUR = 3600_000;

/** Round up to the next full hour (a sensible default appointment time). */
function nextFullHour(at: number): number {
  return Math.ceil(at / HOUR) * HOUR;
}

export function initialForm(kind: ItemActionKind, ctx: FormContext): ActionFormState {
  const d = ctx.detail;
  const dossier = d && d.source === 'procedure' ? d : null;
  const others = otherOfficials(ctx.officials, ctx.me);
  const base: ActionFormState = {
    note: '',
    reason: '',
    toUser: others.length === 1 ? (others[0]?.username ?? '') : '',
    missing: '',
    fees: [{ name: '', amount: '' }],
    resultName: '',
    method: dossier?.returnMethod === 1 ? '1' : '0',
    newAppointment: '',
    incomingNumber: '',
    incomingDate: toOfficeDateInput(ctx.now),
    lead: '',
    cooperating: [],
    forInfo: [],
    internalDue: '',
    instruction: '',
    subject: ctx.replySubject(ctx.item.ref),
  };
  if (kind === 'dossier.requestFees' && dossier && dossier.fees.length > 0) {
    // The procedure's usual fee(s), as the catalogue put them on the dossier.
    base.fees = dossier.fees.map((f) => ({ name: f.name, amount: String(f.amount) }));
  }
  if (kind === 'dossier.apology') {
    // A day later than now, at the next full hour: the official adjusts it.
    base.newAppointment = toOfficeDateTimeInput(nextFullHour(ctx.now + 24 * HOUR));
  }
  return base;
}

/** "50.000 đ" → 50000; null when it is not a whole, non-negative amount. */
export function parseAmount(raw: string): number | null {
  const cleaned = raw.replace(/[\s.,_]/g, '').replace(/(vnd|vnđ|đ|d)$/i, '');
  if (!/^\d{1,10}$/.test(cleaned)) return null;
  const n = Number(cleaned);
  return Number.isSafeInteger(n) ? n : null;
}

export type FormErrors = Partial<Record<string, string>>;
export type BuildResult = { ok: true; action: ItemAction } | { ok: false; errors: FormErrors };

const REASON_MIN = 3;
const TEXT_MAX = 1000;
const NOTE_MAX = 2000;

function optionalNote(value: string): string | undefined {
  const v = value.trim();
  return v === '' ? undefined : v;
}

/**
 * Typed values → the action, or errors keyed by field (`fees.0.amount` for a fee row) with an i18n
 * key as the message. The result is also checked against the contract schema.
 */
export function buildAction(kind: ItemActionKind, form: ActionFormState, ctx: Pick<FormContext, 'now' | 'me' | 'officials'>): BuildResult {
  const errors: FormErrors = {};
  const fields = FORM_FIELDS[kind];
  const reason = form.reason.trim();
  if (fields.includes('reason')) {
    if (reason.length < REASON_MIN) errors['reason'] = 'actionForm.errors.reasonShort';
    else if (reason.length > TEXT_MAX) errors['reason'] = 'actionForm.errors.tooLong';
  }
  if (fields.includes('note') && form.note.trim().length > NOTE_MAX) errors['note'] = 'actionForm.errors.tooLong';

  let action: unknown = null;
  switch (kind) {
    case 'dossier.receive':
    case 'dossier.supplementReceived':
    case 'document.inProgress':
    case 'document.done':
      action = { kind, note: optionalNote(form.note) };
      break;
    case 'dossier.refuse':
    case 'dossier.sendBack':
    case 'dossier.stop':
    case 'document.refuse':
      action = { kind, reason };
      break;
    case 'dossier.forward': {
      const to = form.toUser.trim();
      if (to === '') errors['toUser'] = 'actionForm.errors.toUserRequired';
      else if (to === ctx.me) errors['toUser'] = 'actionForm.errors.toUserSelf';
      action = { kind, toUser: to, note: optionalNote(form.note) };
      break;
    }
    case 'dossier.requestSupplement': {
      const missing = form.missing.trim();
      if (missing.length < REASON_MIN) errors['missing'] = 'actionForm.errors.missingShort';
      else if (missing.length > TEXT_MAX) errors['missing'] = 'actionForm.errors.tooLong';
      action = { kind, missing, note: optionalNote(form.note) };
      break;
    }
    case 'dossier.requestFees': {
      const rows = form.fees.filter((r) => r.name.trim() !== '' || r.amount.trim() !== '');
      if (rows.length === 0) errors['fees'] = 'actionForm.errors.feesRequired';
      if (rows.length > 20) errors['fees'] = 'actionForm.errors.feesTooMany';
      const fees = form.fees.map((r, i) => {
        if (r.name.trim() === '' && r.amount.trim() === '') return null;
        const amount = parseAmount(r.amount);
        if (r.name.trim() === '') errors[`fees.${i}.name`] = 'actionForm.errors.feeNameRequired';
        if (amount === null || amount > 1_000_000_000) errors[`fees.${i}.amount`] = 'actionForm.errors.feeAmountInvalid';
        return { name: r.name.trim(), amount: amount ?? 0 };
      });
      action = { kind, fees: fees.filter((f) => f !== null) };
      break;
    }
    case 'dossier.recordResult': {
      const resultName = form.resultName.trim();
      if (resultName === '') errors['resultName'] = 'actionForm.errors.resultNameRequired';
      action = { kind, resultName, note: optionalNote(form.note) };
      break;
    }
    case 'dossier.returnResult':
      action = { kind, method: form.method === '1' ? 1 : 0 };
      break;
    case 'dossier.apology': {
      const at = fromOfficeDateTimeInput(form.newAppointment);
      if (at === null) errors['newAppointment'] = 'actionForm.errors.appointmentRequired';
      else if (at <= ctx.now) errors['newAppointment'] = 'actionForm.errors.appointmentPast';
      action = { kind, reason, newAppointmentAt: at ?? 0 };
      break;
    }
    case 'document.register': {
      const incomingNumber = form.incomingNumber.trim();
      if (incomingNumber === '') errors['incomingNumber'] = 'actionForm.errors.incomingNumberRequired';
      else if (incomingNumber.length > 50) errors['incomingNumber'] = 'actionForm.errors.tooLong';
      const day = fromOfficeDateInput(form.incomingDate);
      if (day === null) errors['incomingDate'] = 'actionForm.errors.incomingDateRequired';
      else if (day > ctx.now) errors['incomingDate'] = 'actionForm.errors.incomingDateFuture';
      // Today: the time of registration; an earlier day: the start of that day.
      const incomingDate = day !== null && toOfficeDateInput(day) === toOfficeDateInput(ctx.now) ? ctx.now : (day ?? 0);
      action = { kind, incomingNumber, incomingDate };
      break;
    }
    case 'document.assign': {
      const lead = form.lead.trim();
      if (lead === '') errors['assignees'] = 'actionForm.errors.leadRequired';
      const cooperating = form.cooperating.filter((u) => u !== lead);
      const forInfo = form.forInfo.filter((u) => u !== lead && !cooperating.includes(u));
      let internalDueAt: number | undefined;
      if (form.internalDue.trim() !== '') {
        const at = fromOfficeDateTimeInput(form.internalDue) ?? fromOfficeDateInput(form.internalDue);
        if (at === null) errors['internalDue'] = 'actionForm.errors.dateInvalid';
        else if (at <= ctx.now) errors['internalDue'] = 'actionForm.errors.internalDuePast';
        else internalDueAt = at;
      }
      const instruction = optionalNote(form.instruction);
      if (instruction !== undefined && instruction.length > NOTE_MAX) errors['instruction'] = 'actionForm.errors.tooLong';
      action = { kind, lead, cooperating, forInfo, internalDueAt, instruction };
      break;
    }
    case 'document.reply': {
      const subject = form.subject.trim();
      if (subject.length < REASON_MIN) errors['subject'] = 'actionForm.errors.subjectShort';
      else if (subject.length > TEXT_MAX) errors['subject'] = 'actionForm.errors.tooLong';
      action = { kind, subject, note: optionalNote(form.note) };
      break;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const parsed = ItemActionSchema.safeParse(action);
  if (!parsed.success) return { ok: false, errors: { form: 'actionForm.errors.invalid' } };
  return { ok: true, action: parsed.data };
}

/** The first field with a problem, to move focus there. */
export function firstErrorField(errors: FormErrors): string | null {
  const keys = Object.keys(errors);
  return keys[0] ?? null;
}
