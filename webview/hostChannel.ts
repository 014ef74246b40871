/**
 * The webview's side of the conversation with the host, in the manner of vscode-hexeditor's MessageHandler and
 * GitLens's typed IpcRequest: a request gets an id and a promise that the host's reply with that id settles
 * (an `error` with the id rejects it). A request may carry a key: a newer request with the same key supersedes
 * it, so a slow answer to an old question (the previous hover, the previous grid) is dropped instead of drawn
 * over the newer one. Replies nobody waits for any more are dropped too.
 */
import { REPLY_TYPE } from '../src/shared/protocol';
import type { HostReply, HostToWebview, WebviewRequest, WebviewToHost } from '../src/shared/protocol';

/** A request without its id (the channel assigns it). */
export type RequestBody<T extends WebviewRequest['type']> = Extract<WebviewRequest, { type: T }> extends infer R ? (R extends unknown ? Omit<R, 'requestId'> : never) : never;
/** The reply to requests of type `T`. */
export type ReplyFor<T extends WebviewRequest['type']> = Extract<HostReply, { type: (typeof REPLY_TYPE)[T] }>;
/** Messages that expect no reply. */
export type Notification = Exclude<WebviewToHost, WebviewRequest>;

/** A newer request with the same key was sent (or the model changed): this one's answer no longer matters. */
export class SupersededError extends Error {
  constructor() {
    super('superseded by a newer request');
    this.name = 'SupersededError';
  }
}

/** The host answered the request with an `error`. */
export class HostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostError';
  }
}

/** What {@link HostChannel.handle} did with a message. */
export type Routed = 'reply' | 'stale' | 'push';

interface Pending {
  key?: string;
  settle(reply: HostReply): void;
  fail(error: Error): void;
}

const isReplyTo = <T extends WebviewRequest['type']>(type: T, m: HostReply): m is ReplyFor<T> => m.type === REPLY_TYPE[type];

export class HostChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly byKey = new Map<string, number>();

  constructor(private readonly send: (message: WebviewToHost) => void) {}

  /** Requests in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  notify(message: Notification): void {
    this.send(message);
  }

  /** Sends `body` with a fresh id; resolves with the reply, rejects with HostError or SupersededError. */
  request<T extends WebviewRequest['type']>(body: RequestBody<T> & { type: T }, key?: string): Promise<ReplyFor<T>> {
    const requestId = this.nextId++;
    if (key !== undefined) {
      const previous = this.byKey.get(key);
      if (previous !== undefined) this.drop(previous, new SupersededError());
      this.byKey.set(key, requestId);
    }
    const type: T = body.type;
    const promise = new Promise<ReplyFor<T>>((resolve, reject) => {
      this.pending.set(requestId, {
        ...(key !== undefined ? { key } : {}),
        settle: (reply) => {
          if (isReplyTo(type, reply)) resolve(reply);
          else reject(new Error(`expected a ${REPLY_TYPE[type]} reply to ${type}, got ${reply.type}`));
        },
        fail: reject,
      });
    });
    this.send({ ...body, requestId } as WebviewRequest);
    return promise;
  }

  /**
   * Routes one (already validated) host message: a reply or request error settles its request (`reply`); one for a
   * request that was superseded or never made is dropped (`stale`); anything else is for the caller (`push`).
   */
  handle(message: HostToWebview): Routed {
    if (message.type === 'error') {
      if (message.requestId === undefined) return 'push';
      const failed = this.take(message.requestId);
      if (!failed) return 'stale';
      failed.fail(new HostError(message.message));
      return 'reply';
    }
    if (!('requestId' in message)) return 'push';
    const p = this.take(message.requestId);
    if (!p) return 'stale';
    p.settle(message);
    return 'reply';
  }

  /** Supersedes every request in flight (a new model: their answers would describe the old one). */
  cancelAll(): void {
    for (const id of [...this.pending.keys()]) this.drop(id, new SupersededError());
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (p.key !== undefined && this.byKey.get(p.key) === id) this.byKey.delete(p.key);
    return p;
  }

  private drop(id: number, error: Error): void {
    this.take(id)?.fail(error);
  }
}
