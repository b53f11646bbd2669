/**
 * Issue #7 point 3 (feature `desktop`): the notification service built for the core and its API
 * methods. core.ts wires it with one line each in the handlers, start() and close().
 */
import type { ApiHandlers } from '../api/api.dispatcher';
import { NotifyService, type NotifyServiceDeps } from './notify.service';

export interface DesktopNotifications {
  service: NotifyService;
  handlers: Pick<ApiHandlers, 'notify.list' | 'notify.markRead'>;
}

export function desktopNotifications(deps: NotifyServiceDeps): DesktopNotifications {
  const service = new NotifyService(deps);
  return {
    service,
    handlers: {
      'notify.list': () => service.list(),
      'notify.markRead': ({ ids }) => service.markRead(ids),
    },
  };
}
