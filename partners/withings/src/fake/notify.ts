import type { DataKind } from '@healthsync/contracts';
import type { WebhookRequest } from '@healthsync/partner-kit';
import { createWebhookSender, type WebhookDelivery } from '@healthsync/partner-kit/fake';
import { type Action, intParam, WithingsFailure } from './envelope.js';

/** The notification categories (`appli`) Withings knows.
 * https://developer.withings.com/developer-guide/v3/data-api/keep-user-data-up-to-date/ */
export const APPLIS = [1, 2, 4, 16, 44, 46, 50, 51, 52, 53, 54, 55, 58] as const;
/** appli 1: weight and body composition; 16: activity, workouts included. */
export const APPLI_OF_KIND: Partial<Record<DataKind, number>> = { measurement: 1, exercise: 16 };

export interface Subscription {
  readonly userid: number;
  appli: number;
  callbackurl: string;
  comment: string;
}

export interface NotificationsOptions {
  /** Delays before each retry of a failed delivery (Withings: 10 s, 1 min, 1 h, 4 h). */
  retryDelaysMs?: readonly number[];
  /** A callback slower than this failed (default 2 s). */
  timeoutMs?: number;
  /** Enforce Withings' callback rules: https, ports 80/443, no IP address or localhost. Off by default
   * so tests can receive notifications on 127.0.0.1. */
  strictCallbackUrls?: boolean;
}

/**
 * `/notify` subscriptions per user and appli, and their delivery: unsigned form POSTs
 * (`userid=12345&appli=1&startdate=1530576000&enddate=1530698753`), retried on failure.
 */
export class Notifications {
  readonly subscriptions: Subscription[] = [];
  private readonly sender;
  private readonly checker;
  private readonly strict: boolean;

  constructor(options: NotificationsOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 2000;
    this.sender = createWebhookSender({
      retryDelaysMs: options.retryDelaysMs ?? [10_000, 60_000, 3_600_000, 14_400_000],
      timeoutMs,
    });
    this.checker = createWebhookSender({ timeoutMs });
    this.strict = options.strictCallbackUrls ?? false;
  }

  /** Every notification POST and HEAD check made so far, with its attempts. */
  get deliveries(): readonly WebhookDelivery[] {
    return [...this.checker.deliveries, ...this.sender.deliveries];
  }

  /** https://developer.withings.com/developer-guide/v3/integration-guide/public-health-data-api/notifications/notification-subscribe */
  private async checkCallback(raw: string | undefined): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw ?? '');
    } catch {
      throw new WithingsFailure(293, 'Invalid Params: callbackurl is not a URL');
    }
    const ip = /^[\d.]+$|^\[/.test(url.hostname);
    const bad = this.strict
      ? url.protocol !== 'https:' || url.port !== '' || ip || url.hostname === 'localhost'
      : url.protocol !== 'https:' && url.protocol !== 'http:';
    if (bad || (raw ?? '').length > 255)
      throw new WithingsFailure(293, 'Invalid Params: callbackurl is not allowed');
    // Withings checks the URL with a HEAD request before it registers it.
    const head = await this.checker.send(url.toString(), {
      method: 'HEAD',
      body: '',
      contentType: 'text/plain',
    });
    if (!head.ok) throw new WithingsFailure(293, 'Invalid Params: callbackurl did not answer HEAD with 2xx');
    return raw ?? '';
  }

  private appli(p: Readonly<Record<string, string>>, name = 'appli', fallback?: number): number {
    const appli = intParam(p, name) ?? fallback;
    if (appli === undefined || !(APPLIS as readonly number[]).includes(appli))
      throw new WithingsFailure(503, `Invalid Params: ${name}`);
    return appli;
  }

  private find(userid: number, callbackurl: string | undefined, appli: number): Subscription {
    const sub = this.subscriptions.find(
      (s) => s.userid === userid && s.callbackurl === callbackurl && s.appli === appli,
    );
    if (!sub) throw new WithingsFailure(343, 'No notification matching the criteria');
    return sub;
  }

  readonly actions: Record<string, Action> = {
    // https://developer.withings.com/api-reference/#tag/notify/operation/notify-subscribe
    subscribe: async ({ user, p }) => {
      const appli = this.appli(p);
      const callbackurl = await this.checkCallback(p.callbackurl);
      const existing = this.subscriptions.find(
        (s) => s.userid === user.userid && s.callbackurl === callbackurl && s.appli === appli,
      );
      if (existing) existing.comment = p.comment ?? existing.comment;
      else this.subscriptions.push({ userid: user.userid, appli, callbackurl, comment: p.comment ?? '' });
      return {};
    },
    // https://developer.withings.com/api-reference/#tag/notify/operation/notify-get
    get: ({ user, p }) => {
      const { appli, callbackurl, comment } = this.find(
        user.userid,
        p.callbackurl,
        this.appli(p, 'appli', 1),
      );
      return { appli, callbackurl, comment };
    },
    // https://developer.withings.com/api-reference/#tag/notify/operation/notify-list
    list: ({ user, p }) => {
      const appli = p.appli === undefined ? undefined : this.appli(p);
      const profiles = this.subscriptions
        .filter((s) => s.userid === user.userid && (appli === undefined || s.appli === appli))
        .map(({ appli: a, callbackurl, comment }) => ({
          appli: a,
          callbackurl,
          expires: 2_147_483_647,
          comment,
        }));
      return { profiles };
    },
    // https://developer.withings.com/api-reference/#tag/notify/operation/notify-update
    update: async ({ user, p }) => {
      const sub = this.find(user.userid, p.callbackurl, this.appli(p));
      const changes = ['new_callbackurl', 'new_appli', 'comment'].filter((k) => p[k] !== undefined);
      if (changes.length !== 1)
        throw new WithingsFailure(
          503,
          'Invalid Params: give exactly one of new_callbackurl, new_appli, comment',
        );
      if (p.new_callbackurl !== undefined) sub.callbackurl = await this.checkCallback(p.new_callbackurl);
      if (p.new_appli !== undefined) sub.appli = this.appli(p, 'new_appli');
      if (p.comment !== undefined) sub.comment = p.comment;
      return {};
    },
    // https://developer.withings.com/api-reference/#tag/notify/operation/notify-revoke
    revoke: ({ user, p }) => {
      const appli = this.appli(p);
      const i = this.subscriptions.findIndex(
        (s) => s.userid === user.userid && s.callbackurl === p.callbackurl && s.appli === appli,
      );
      if (i < 0) throw new WithingsFailure(286, 'No such subscription for this callbackurl');
      this.subscriptions.splice(i, 1);
      return {};
    },
  };

  /** The user unlinked the app: Withings drops their subscriptions. */
  dropUser(userid: number): void {
    for (let i = this.subscriptions.length - 1; i >= 0; i--)
      if (this.subscriptions[i]?.userid === userid) this.subscriptions.splice(i, 1);
  }

  /** The form Withings posts. */
  static form(userid: number, appli: number, startdate: number, enddate: number): string {
    return new URLSearchParams({
      userid: String(userid),
      appli: String(appli),
      startdate: String(startdate),
      enddate: String(enddate),
    }).toString();
  }

  /** A notification as it would arrive, without sending it (webhook conformance). */
  static request(userid: number, kind: DataKind, startdate: number, enddate: number): WebhookRequest {
    const appli = APPLI_OF_KIND[kind];
    if (appli === undefined) throw new Error(`Withings sends no notification for ${kind}`);
    return {
      method: 'POST',
      query: {},
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: Buffer.from(Notifications.form(userid, appli, startdate, enddate)),
    };
  }

  /** Deliver a notification to every subscription of this user and appli; resolves when each
   * delivery succeeded or ran out of retries. */
  deliver(userid: number, appli: number, startdate: number, enddate: number): Promise<WebhookDelivery[]> {
    const body = Notifications.form(userid, appli, startdate, enddate);
    const targets = this.subscriptions.filter((s) => s.userid === userid && s.appli === appli);
    return Promise.all(
      targets.map((s) =>
        this.sender.send(s.callbackurl, { body, contentType: 'application/x-www-form-urlencoded' }),
      ),
    );
  }
}
