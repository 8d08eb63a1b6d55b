// Talking to Slack's Web API: the two clients the app uses and what a failed
// call means. Messages edited by the follower use a client that never retries
// by itself (its loop retries with the newest state instead of replaying old
// ones, and honours Retry-After); replies to a person use a few quick retries.
import { webApi, type Logger } from '@slack/bolt';
import type { SlackConfig } from './config.js';

export type WebClient = webApi.WebClient;

export function followerClient(config: SlackConfig, logger: Logger): WebClient {
  return new webApi.WebClient(config.botToken.reveal(), {
    slackApiUrl: config.slackApiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger,
  });
}

export function replyClientOptions(config: SlackConfig, logger: Logger): webApi.WebClientOptions {
  return {
    slackApiUrl: config.slackApiUrl,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
    timeout: 10_000,
    logger,
  };
}

/** Errors no retry can fix: the channel or message is gone, or the app lacks a scope or its token. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'message_not_found',
  'cant_update_message',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'invalid_blocks',
]);

export interface SlackFailure {
  /** Short, token-free: `chat.update: HTTP 500`, `chat.update: rate limited (retry after 2s)`. */
  what: string;
  permanent: boolean;
  retryAfterMs?: number;
}

export function slackFailure(method: string, err: unknown): SlackFailure {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; original?: Error };
  switch (e?.code) {
    case webApi.ErrorCode.RateLimitedError:
      return { what: `${method}: rate limited (retry after ${e.retryAfter}s)`, permanent: false, retryAfterMs: (e.retryAfter ?? 1) * 1000 };
    case webApi.ErrorCode.HTTPError:
      return { what: `${method}: HTTP ${e.statusCode}`, permanent: false };
    case webApi.ErrorCode.PlatformError: {
      const error = e.data?.error ?? 'unknown_error';
      return { what: `${method}: ${error}`, permanent: PERMANENT.has(error) };
    }
    case webApi.ErrorCode.RequestError:
      return { what: `${method}: ${e.original?.message ?? 'request failed'}`, permanent: false };
    default:
      return { what: `${method}: ${err instanceof Error ? err.message : String(err)}`, permanent: false };
  }
}
