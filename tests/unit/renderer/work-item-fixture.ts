/** A work item for the renderer's pure-logic tests. */
import type { WorkItem } from '../../../src/shared/work-item';

// 2026-03-16 10:00 in Hà Nội (UTC+7).
export const FIXTURE_NOW = Date.UTC(2026, 2, 16, 3, 0);

export function workItem(patch: Partial<WorkItem> = {}): WorkItem {
  return {
    id: 'training-procedure:000.26.13.H26-260316-0001',
    source: 'procedure',
    backendId: 'training-procedure',
    externalId: '000.26.13.H26-260316-0001',
    ref: '000.26.13.H26-260316-0001',
    title: 'Đăng ký khai sinh cho Nguyễn Văn An',
    party: 'Nguyễn Văn Bình',
    kind: 'Đăng ký khai sinh',
    status: '4',
    receivedAt: FIXTURE_NOW - 86_400_000,
    dueAt: FIXTURE_NOW + 86_400_000,
    urgency: 0,
    assignee: 'canbo.lan',
    assigneeName: 'Nguyễn Thị Lan',
    updatedAt: FIXTURE_NOW - 3_600_000,
    sla: 'on_track',
    remainingWorkingMinutes: 480,
    pendingActions: 0,
    attention: 'none',
    ...patch,
  };
}

