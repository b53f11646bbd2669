/**
 * Domain vocabulary shared by core, renderer, host and sandbox.
 * Codes follow ../shared/DOMAIN.md. No Node or DOM imports here.
 */
import { z } from 'zod';

export const SOURCES = ['procedure', 'document', 'mail'] as const;
export const SourceSchema = z.enum(SOURCES);
export type Source = z.infer<typeof SourceSchema>;

/** TrangThaiHoSo 1–10. */
export const PROCEDURE_STATUS_CODES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] as const;
export type ProcedureStatusCode = (typeof PROCEDURE_STATUS_CODES)[number];
/** Statuses after which a dossier no longer needs the official (terminal for the queue). */
export const PROCEDURE_CLOSED: ReadonlySet<string> = new Set(['3', '7', '8', '10']);
/** Resolved: the statutory clock has stopped (result ready or returned). */
export const PROCEDURE_RESOLVED: ReadonlySet<string> = new Set(['9', '10']);
/** Clock paused while the citizen supplements papers. */
export const PROCEDURE_PAUSED: ReadonlySet<string> = new Set(['5']);

/** edXML status feedback 01–06. */
export const DOCUMENT_STATUS_CODES = ['01', '02', '03', '04', '05', '06'] as const;
export type DocumentStatusCode = (typeof DOCUMENT_STATUS_CODES)[number];
export const DOCUMENT_CLOSED: ReadonlySet<string> = new Set(['02', '06']);

/** Độ khẩn 0–4 (edXML OtherInfo/Priority). Dossiers map to 0 unless late. */
export const UrgencySchema = z.number().int().min(0).max(4);
export type Urgency = z.infer<typeof UrgencySchema>;

export const SLA_STATES = ['overdue', 'due_today', 'due_soon', 'on_track', 'paused', 'none'] as const;
export const SlaStateSchema = z.enum(SLA_STATES);
/**
 * overdue: past due and not resolved; due_today: due before today's end (office time zone);
 * due_soon: due before the end of the next working day; on_track: later; paused: clock stopped
 * (dossier waiting for supplement); none: resolved/closed or no deadline.
 */
export type SlaState = z.infer<typeof SlaStateSchema>;

/** Does an item of this source and status still need work from the office? */
export function isOpenStatus(source: Source, status: string): boolean {
  if (source === 'procedure') return !PROCEDURE_CLOSED.has(status);
  if (source === 'document') return !DOCUMENT_CLOSED.has(status);
  return status !== 'done' && status !== 'deleted';
}

/** Is the deadline clock still running for this item (open and not resolved)? */
export function isClockRunning(source: Source, status: string): boolean {
  if (!isOpenStatus(source, status)) return false;
  if (source === 'procedure') return !PROCEDURE_RESOLVED.has(status);
  return true;
}

export function isPausedStatus(source: Source, status: string): boolean {
  return source === 'procedure' && PROCEDURE_PAUSED.has(status);
}

/** TrangThaiHoSo in words, as officials read them in messages. */
export const DOSSIER_STATUS_WORDS: Readonly<Record<string, string>> = {
  '1': 'Mới đăng ký',
  '2': 'Đã tiếp nhận',
  '3': 'Không được tiếp nhận',
  '4': 'Đang xử lý',
  '5': 'Chờ bổ sung giấy tờ',
  '6': 'Chờ thực hiện nghĩa vụ tài chính',
  '7': 'Công dân đã rút hồ sơ',
  '8': 'Dừng xử lý',
  '9': 'Đã xử lý xong',
  '10': 'Đã trả kết quả',
};
