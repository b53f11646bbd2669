/**
 * Issue #7 point 3 (feature `desktop`): notifications and tray counts — the contract between the
 * core (src/core/notify/), the Electron shell (OS notifications, tray) and the renderer (the in-app
 * list, Web Notifications in the browser host). zod only.
 */
import { z } from 'zod';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'giờ dạng HH:MM, ví dụ 17:30');

/** config.json `notifications` (all optional; defaults below). */
export const NotifySettingsSchema = z.strictObject({
  /** OS / in-app notifications on or off (the tray counts stay). */
  enabled: z.boolean().default(true),
  /** No pop-ups from `start` to `end` (may cross midnight); what arrives meanwhile is summed up at `end`. */
  quietHours: z.strictObject({ start: HHMM, end: HHMM }).default({ start: '17:30', end: '07:30' }),
  /** Also quiet on days off of the office calendar (weekends, holidays; working Saturdays are working days). */
  quietOnDaysOff: z.boolean().default(true),
  /**
   * "About to go overdue": a notification when an item's remaining working time falls to each of these
   * thresholds (working minutes, as the deadline engine counts them), once per item and threshold.
   */
  leadMinutes: z.array(z.number().int().min(5).max(5 * 8 * 60)).min(1).max(4).default([240, 60]),
  /** New items at or above this urgency (documents: 1 Khẩn, 2 Thượng khẩn, 3–4 Hỏa tốc) are notified. */
  minUrgency: z.number().int().min(1).max(4).default(1),
  /** Whose items: the official's own (assigned to her or to nobody) or the whole office's. */
  scope: z.enum(['mine', 'all']).default('all'),
  /** Notifications closer together than this are combined into one ("12 hồ sơ mới"). */
  burstMs: z.number().int().min(0).max(60_000).default(3000),
  /** Start the workstation with the operating system (the shell applies it). */
  startWithOs: z.boolean().default(false),
});
export type NotifySettings = z.output<typeof NotifySettingsSchema>;
export type NotifySettingsInput = z.input<typeof NotifySettingsSchema>;

export const NOTIFICATION_KINDS = ['urgent', 'due_soon', 'quiet_summary'] as const;
export const NotificationKindSchema = z.enum(NOTIFICATION_KINDS);

export const DesktopNotificationSchema = z.object({
  id: z.string(),
  kind: NotificationKindSchema,
  at: z.number(),
  /** Vietnamese text, ready to show (OS notification title/body, in-app list). */
  title: z.string(),
  body: z.string(),
  /** The items concerned (first = the one to open on click); capped at 50. */
  itemIds: z.array(z.string()).max(50),
  /** How many items in all (may exceed itemIds). */
  count: z.number().int(),
  /** Raised during quiet hours: listed in the app, no pop-up. */
  quiet: z.boolean(),
  read: z.boolean(),
});
export type DesktopNotification = z.infer<typeof DesktopNotificationSchema>;

/** What the tray shows. */
export const TrayCountsSchema = z.object({
  open: z.number().int(),
  dueToday: z.number().int(),
  overdue: z.number().int(),
  /** Notifications not read yet in the app. */
  unread: z.number().int(),
});
export type TrayCounts = z.infer<typeof TrayCountsSchema>;

export const NotifyListOutputSchema = z.object({
  notifications: z.array(DesktopNotificationSchema),
  unread: z.number().int(),
  counts: TrayCountsSchema,
  settings: NotifySettingsSchema,
  /** Whether it is quiet time now (no pop-ups). */
  quietNow: z.boolean(),
});

export const desktopContract = {
  /** The newest notifications (≤ 100, newest first), unread count, tray counts and the settings in force. */
  'notify.list': { input: z.object({}).strict(), output: NotifyListOutputSchema },
  /** Mark notifications read (all when `ids` is absent). */
  'notify.markRead': {
    input: z.object({ ids: z.array(z.string().min(1).max(100)).max(200).optional() }).strict(),
    output: z.object({ unread: z.number().int() }),
  },
} as const;

/** Events on the core's change feed (CoreEventSchema). */
export const NotifyRaisedEventSchema = z.object({ type: z.literal('notify.raised'), notification: DesktopNotificationSchema });
export const TrayCountsEventSchema = z.object({ type: z.literal('tray.counts'), counts: TrayCountsSchema });
/** Sent by the Electron shell (not the core) when the official clicks an OS notification: open this item. */
export const NotifyOpenEventSchema = z.object({ type: z.literal('notify.open'), itemId: z.string(), notificationId: z.string() });

/** The events the Electron shell acts on (the tray and OS notifications). */
export const DesktopEventSchema = z.discriminatedUnion('type', [NotifyRaisedEventSchema, TrayCountsEventSchema]);
export type DesktopEvent = z.infer<typeof DesktopEventSchema>;
