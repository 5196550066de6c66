/** The broker returned a `mandatory` message: no queue is bound for its routing key. */
export class UnroutableError extends Error {
  override readonly name = 'UnroutableError';
  readonly code = 'unroutable' as const;
  constructor(
    readonly messages: readonly { readonly messageId: string; readonly routingKey: string }[],
    reply = 'NO_ROUTE',
  ) {
    const first = messages[0];
    super(
      `${messages.length} message(s) unroutable (${reply})` +
        (first ? `: first ${first.messageId} with routing key ${first.routingKey}` : ''),
    );
  }
}

/** The broker refused to take responsibility for a message (basic.nack). */
export class PublishNackedError extends Error {
  override readonly name = 'PublishNackedError';
  readonly code = 'nacked' as const;
  constructor(readonly messageId: string) {
    super(`broker nacked message ${messageId}`);
  }
}

/** No broker connection within the publish timeout, or the connection went away before the confirm. */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
  readonly code = 'bus_unavailable' as const;
}

/** The bus was closed: nothing more is published or consumed. */
export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';
  readonly code = 'bus_closed' as const;
  constructor() {
    super('the bus is closed');
  }
}
