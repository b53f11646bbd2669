/**
 * Mail bodies as the window uses them: fetched once per mail (`mail.body`; the core caches them
 * too), kept for the last few mails so going back and forth or replying does not ask again.
 * Failures are not kept: the next try asks the core again. Built in the workstation (composition
 * root) and handed down through a context (mail-body.context.ts); no module singleton. No React here.
 */
import type { MailBodyView, WorkstationApi } from '../../shared/api';
import type { SanitizedMail, SanitizeOptions } from '../../shared/mail-html';

const KEEP = 20;

export class MailBodyStore {
  private readonly bodies = new Map<string, Promise<MailBodyView>>();

  constructor(
    private readonly api: Pick<WorkstationApi, 'call'>,
    /** DOMPurify of this window with the mail configuration. */
    readonly sanitize: (html: string, options: SanitizeOptions) => SanitizedMail,
    /** Text of sanitised HTML (for quoting). */
    private readonly htmlText: (cleanHtml: string) => string,
  ) {}

  load(itemId: string, options: { fresh?: boolean } = {}): Promise<MailBodyView> {
    const cached = this.bodies.get(itemId);
    if (cached && !options.fresh) {
      // Most recently used last.
      this.bodies.delete(itemId);
      this.bodies.set(itemId, cached);
      return cached;
    }
    const pending = this.api.call('mail.body', { itemId });
    this.bodies.set(itemId, pending);
    pending.catch(() => {
      if (this.bodies.get(itemId) === pending) this.bodies.delete(itemId);
    });
    while (this.bodies.size > KEEP) {
      const oldest = this.bodies.keys().next().value;
      if (oldest === undefined) break;
      this.bodies.delete(oldest);
    }
    return pending;
  }

  /** The text to quote in a reply or forward: the text part, else the text of the sanitised HTML. */
  async textOf(itemId: string): Promise<string> {
    const body = await this.load(itemId);
    if (body.text !== null && body.text.trim() !== '') return body.text;
    if (body.html !== null) return this.htmlText(this.sanitize(body.html, {}).html);
    return '';
  }
}
