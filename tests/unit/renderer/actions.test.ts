import { beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TRANSITIONS, DOCUMENT_ACTION_KINDS, DOSSIER_ACTION_KINDS, type ItemActionKind } from '../../../src/shared/actions';
import { DOCUMENT_STATUS_CODES, PROCEDURE_STATUS_CODES } from '../../../src/shared/domain';
import type { DossierDetail, WorkItem } from '../../../src/shared/work-item';
import { acceleratorAt, ACTION_ORDER, indexOfAccelerator, legalActions } from '../../../src/renderer/actions/action-catalog';
import { buildAction, FORM_FIELDS, initialForm, parseAmount, type ActionFormState, type FormContext } from '../../../src/renderer/actions/action-form';
import {
  fromOfficeDateInput,
  fromOfficeDateTimeInput,
  toOfficeDateInput,
  toOfficeDateTimeInput,
} from '../../../src/renderer/format/office-input';
import type { Translate } from '../../../src/renderer/format/translate';
import { translators } from './i18n-fixture';
import { FIXTURE_NOW, workItem } from './work-item-fixture';

let vi: Translate;
let en: Translate;
beforeAll(async () => {
  ({ vi, en } = await translators());
});

const NOW = FIXTURE_NOW;

const OFFICIALS = [
  { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', title: null },
  { username: 'canbo.mai', fullName: 'Lê Thị Mai', title: 'Công chức Tư pháp - Hộ tịch' },
  { username: 'canbo.hung', fullName: 'Trần Văn Hùng', title: null },
];

function ctx(item: WorkItem = workItem(), detail: FormContext['detail'] = null): FormContext {
  return { item, detail, now: NOW, me: 'canbo.lan', officials: OFFICIALS, replySubject: (ref) => `V/v trả lời văn bản số ${ref}` };
}

function form(kind: ItemActionKind, patch: Partial<ActionFormState> = {}, c: FormContext = ctx()): ActionFormState {
  return { ...initialForm(kind, c), ...patch };
}

const build = (kind: ItemActionKind, patch: Partial<ActionFormState> = {}, c: FormContext = ctx()) =>
  buildAction(kind, form(kind, patch, c), { now: NOW, me: 'canbo.lan', officials: OFFICIALS });

describe('legal actions per status', () => {
  it('offers exactly the transitions of ACTION_TRANSITIONS for every dossier and document status', () => {
    for (const status of PROCEDURE_STATUS_CODES) {
      const offered = legalActions(workItem({ status, sla: 'overdue', remainingWorkingMinutes: -60 }));
      const expected = DOSSIER_ACTION_KINDS.filter((k) => ACTION_TRANSITIONS[k].from.includes(status));
      expect(new Set(offered), status).toEqual(new Set(expected));
    }
    for (const status of DOCUMENT_STATUS_CODES) {
      const offered = legalActions(workItem({ source: 'document', status }));
      const expected = DOCUMENT_ACTION_KINDS.filter((k) => ACTION_TRANSITIONS[k].from.includes(status));
      expect(new Set(offered), status).toEqual(new Set(expected));
    }
  });

  it('gives the usual order for common statuses', () => {
    expect(legalActions(workItem({ status: '1' }))).toEqual(['dossier.receive', 'dossier.refuse']);
    expect(legalActions(workItem({ status: '9' }))).toEqual(['dossier.returnResult']);
    expect(legalActions(workItem({ status: '10' }))).toEqual([]);
    expect(legalActions(workItem({ source: 'document', status: '01' }))).toEqual(['document.register', 'document.refuse']);
    expect(legalActions(workItem({ source: 'document', status: '06' }))).toEqual([]);
    expect(legalActions(workItem({ source: 'mail', status: 'new' }))).toEqual([]);
  });

  it('offers the apology only on an overdue dossier', () => {
    expect(legalActions(workItem({ status: '4' }))).not.toContain('dossier.apology');
    expect(legalActions(workItem({ status: '4', sla: 'overdue', remainingWorkingMinutes: -5 }))).toContain('dossier.apology');
    expect(legalActions(workItem({ status: '9', sla: 'overdue', remainingWorkingMinutes: -5 }))).not.toContain('dossier.apology');
  });

  it('lists every action kind once in the menu order, with a form definition', () => {
    expect(new Set([...ACTION_ORDER.procedure, ...ACTION_ORDER.document])).toEqual(new Set([...DOSSIER_ACTION_KINDS, ...DOCUMENT_ACTION_KINDS]));
    for (const kind of [...DOSSIER_ACTION_KINDS, ...DOCUMENT_ACTION_KINDS]) expect(FORM_FIELDS[kind]).toBeDefined();
  });

  it('numbers menu entries 1…9 then 0', () => {
    expect([0, 1, 8, 9, 10].map(acceleratorAt)).toEqual(['1', '2', '9', '0', null]);
    expect(['1', '9', '0', 'x'].map(indexOfAccelerator)).toEqual([0, 8, 9, -1]);
  });

  it('names every action in Vietnamese as DOMAIN.md does, and in English', () => {
    const names: Record<string, string> = {
      'dossier.receive': 'Tiếp nhận',
      'dossier.refuse': 'Từ chối tiếp nhận',
      'dossier.forward': 'Chuyển xử lý',
      'dossier.sendBack': 'Trả lại bước trước',
      'dossier.requestSupplement': 'Yêu cầu bổ sung',
      'dossier.supplementReceived': 'Nhận bổ sung',
      'dossier.requestFees': 'Yêu cầu nộp phí',
      'dossier.recordResult': 'Cập nhật kết quả',
      'dossier.returnResult': 'Trả kết quả',
      'dossier.stop': 'Dừng xử lý',
      'dossier.apology': 'Phiếu xin lỗi và hẹn lại',
      'document.register': 'Vào sổ',
      'document.refuse': 'Từ chối',
      'document.assign': 'Phân công',
      'document.inProgress': 'Đang xử lý',
      'document.done': 'Hoàn thành',
      'document.reply': 'Soạn văn bản trả lời',
    };
    for (const [kind, name] of Object.entries(names)) {
      expect(vi(`actions.${kind}`)).toBe(name);
      expect(en(`actions.${kind}`)).not.toBe(`actions.${kind}`);
    }
  });
});

describe('action forms', () => {
  it('builds the simple actions, dropping an empty note', () => {
    expect(build('dossier.receive')).toEqual({ ok: true, action: { kind: 'dossier.receive' } });
    expect(build('document.done', { note: '  Đã báo cáo lãnh đạo  ' })).toEqual({ ok: true, action: { kind: 'document.done', note: 'Đã báo cáo lãnh đạo' } });
  });

  it('asks for a reason of at least 3 characters, in Vietnamese', () => {
    for (const kind of ['dossier.refuse', 'dossier.sendBack', 'dossier.stop', 'document.refuse'] as const) {
      const r = build(kind, { reason: ' a ' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(vi(r.errors['reason'] ?? '')).toBe('Vui lòng ghi lý do (ít nhất 3 ký tự).');
    }
    expect(build('dossier.refuse', { reason: 'Thiếu giấy chứng sinh' })).toEqual({ ok: true, action: { kind: 'dossier.refuse', reason: 'Thiếu giấy chứng sinh' } });
  });

  it('forwards only to another official', () => {
    const none = build('dossier.forward');
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.errors['toUser']).toBe('actionForm.errors.toUserRequired');
    const self = build('dossier.forward', { toUser: 'canbo.lan' });
    expect(!self.ok && self.errors['toUser']).toBe('actionForm.errors.toUserSelf');
    expect(build('dossier.forward', { toUser: 'canbo.mai' })).toEqual({ ok: true, action: { kind: 'dossier.forward', toUser: 'canbo.mai' } });
  });

  it('requests a supplement with what is missing', () => {
    const r = build('dossier.requestSupplement', { missing: 'x' });
    expect(!r.ok && r.errors['missing']).toBe('actionForm.errors.missingShort');
    expect(build('dossier.requestSupplement', { missing: 'Bản sao CCCD của người đi đăng ký' })).toMatchObject({ ok: true, action: { missing: 'Bản sao CCCD của người đi đăng ký' } });
  });

  it('defaults the fee rows to the procedure fees on the dossier and reads amounts as typed', () => {
    const detail = { source: 'procedure', fees: [{ name: 'Lệ phí đăng ký kết hôn', amount: 30000, paid: false }], returnMethod: 1 } as unknown as DossierDetail;
    const c = ctx(workItem(), detail);
    expect(initialForm('dossier.requestFees', c).fees).toEqual([{ name: 'Lệ phí đăng ký kết hôn', amount: '30000' }]);
    expect(initialForm('dossier.returnResult', c).method).toBe('1');
    expect(parseAmount('50.000')).toBe(50000);
    expect(parseAmount('50,000 đ')).toBe(50000);
    expect(parseAmount('-5')).toBeNull();
    expect(parseAmount('abc')).toBeNull();
    const ok = build('dossier.requestFees', { fees: [{ name: 'Phí chứng thực', amount: '2.000' }, { name: '', amount: '' }] });
    expect(ok).toEqual({ ok: true, action: { kind: 'dossier.requestFees', fees: [{ name: 'Phí chứng thực', amount: 2000 }] } });
    const bad = build('dossier.requestFees', { fees: [{ name: '', amount: 'mười nghìn' }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors['fees.0.name']).toBe('actionForm.errors.feeNameRequired');
      expect(bad.errors['fees.0.amount']).toBe('actionForm.errors.feeAmountInvalid');
    }
    const empty = build('dossier.requestFees', { fees: [{ name: '', amount: '' }] });
    expect(!empty.ok && empty.errors['fees']).toBe('actionForm.errors.feesRequired');
  });

  it('records a result and returns it at the counter or by post', () => {
    const r = build('dossier.recordResult');
    expect(!r.ok && r.errors['resultName']).toBe('actionForm.errors.resultNameRequired');
    expect(build('dossier.recordResult', { resultName: 'Giấy khai sinh' })).toEqual({ ok: true, action: { kind: 'dossier.recordResult', resultName: 'Giấy khai sinh' } });
    expect(build('dossier.returnResult')).toEqual({ ok: true, action: { kind: 'dossier.returnResult', method: 0 } });
    expect(build('dossier.returnResult', { method: '1' })).toEqual({ ok: true, action: { kind: 'dossier.returnResult', method: 1 } });
  });

  it('needs a future appointment for an apology (office time)', () => {
    const f = initialForm('dossier.apology', ctx());
    expect(f.newAppointment).toBe('2026-03-17T10:00');
    const past = build('dossier.apology', { reason: 'Chờ xác minh', newAppointment: '2026-03-16T09:00' });
    expect(!past.ok && past.errors['newAppointment']).toBe('actionForm.errors.appointmentPast');
    expect(build('dossier.apology', { reason: 'Chờ xác minh' })).toEqual({
      ok: true,
      action: { kind: 'dossier.apology', reason: 'Chờ xác minh', newAppointmentAt: Date.UTC(2026, 2, 17, 3, 0) },
    });
  });

  it('registers with the incoming number and today by default', () => {
    const c = ctx(workItem({ source: 'document', status: '01', ref: '7816/VPCP-TTĐT' }));
    expect(initialForm('document.register', c).incomingDate).toBe('2026-03-16');
    const missing = build('document.register', {}, c);
    expect(!missing.ok && missing.errors['incomingNumber']).toBe('actionForm.errors.incomingNumberRequired');
    expect(build('document.register', { incomingNumber: '125' }, c)).toEqual({ ok: true, action: { kind: 'document.register', incomingNumber: '125', incomingDate: NOW } });
    expect(build('document.register', { incomingNumber: '125', incomingDate: '2026-03-13' }, c)).toEqual({
      ok: true,
      action: { kind: 'document.register', incomingNumber: '125', incomingDate: Date.UTC(2026, 2, 12, 17, 0) },
    });
    const future = build('document.register', { incomingNumber: '125', incomingDate: '2026-03-20' }, c);
    expect(!future.ok && future.errors['incomingDate']).toBe('actionForm.errors.incomingDateFuture');
  });

  it('assigns a lead, cooperating and for-information officials without overlaps', () => {
    const none = build('document.assign');
    expect(!none.ok && none.errors['assignees']).toBe('actionForm.errors.leadRequired');
    const r = build('document.assign', { lead: 'canbo.mai', cooperating: ['canbo.mai', 'canbo.hung'], forInfo: ['canbo.hung', 'canbo.lan'], internalDue: '2026-03-18T17:00', instruction: 'Tham mưu trả lời' });
    expect(r).toEqual({
      ok: true,
      action: { kind: 'document.assign', lead: 'canbo.mai', cooperating: ['canbo.hung'], forInfo: ['canbo.lan'], internalDueAt: Date.UTC(2026, 2, 18, 10, 0), instruction: 'Tham mưu trả lời' },
    });
    const past = build('document.assign', { lead: 'canbo.mai', internalDue: '2026-03-01T08:00' });
    expect(!past.ok && past.errors['internalDue']).toBe('actionForm.errors.internalDuePast');
  });

  it('prefills the reply subject with the document number', () => {
    const c = ctx(workItem({ source: 'document', status: '04', ref: '7816/VPCP-TTĐT' }));
    expect(initialForm('document.reply', c).subject).toBe('V/v trả lời văn bản số 7816/VPCP-TTĐT');
    expect(build('document.reply', {}, c)).toEqual({ ok: true, action: { kind: 'document.reply', subject: 'V/v trả lời văn bản số 7816/VPCP-TTĐT' } });
    expect(vi('actionForm.replySubject', { ref: '12/UBND' })).toBe('V/v trả lời văn bản số 12/UBND');
  });

  it('has a Vietnamese and an English text for every validation message', () => {
    const keys = new Set<string>();
    const bad: Partial<ActionFormState> = {
      reason: '',
      missing: '',
      toUser: 'canbo.lan',
      fees: [{ name: '', amount: 'x' }],
      resultName: '',
      newAppointment: '',
      incomingNumber: '',
      incomingDate: 'x',
      internalDue: 'x',
      subject: '',
    };
    for (const kind of [...DOSSIER_ACTION_KINDS, ...DOCUMENT_ACTION_KINDS]) {
      const r = build(kind, bad);
      if (!r.ok) for (const k of Object.values(r.errors)) if (k) keys.add(k);
    }
    expect(keys.size).toBeGreaterThan(8);
    for (const k of keys) {
      expect(vi(k), k).not.toBe(k);
      expect(en(k), k).not.toBe(k);
    }
  });
});

describe('office-time inputs', () => {
  it('round-trips dates and times in Asia/Ho_Chi_Minh whatever the PC zone', () => {
    expect(toOfficeDateInput(NOW)).toBe('2026-03-16');
    expect(toOfficeDateTimeInput(NOW)).toBe('2026-03-16T10:00');
    // 23:30 UTC is already the next day in Hà Nội.
    expect(toOfficeDateInput(Date.UTC(2026, 2, 16, 23, 30))).toBe('2026-03-17');
    expect(fromOfficeDateTimeInput('2026-03-16T10:00')).toBe(NOW);
    expect(fromOfficeDateInput('2026-03-16')).toBe(Date.UTC(2026, 2, 15, 17, 0));
    expect(fromOfficeDateInput('2026-02-30')).toBeNull();
    expect(fromOfficeDateTimeInput('2026-03-16T25:00')).toBeNull();
    expect(fromOfficeDateTimeInput('')).toBeNull();
  });
});
