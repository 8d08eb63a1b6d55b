// The requester a Slack user becomes in a deploy's history: `slack:U123 (alice)`.
// The id is what permissions compare (names can change and be reused); the
// name is for people reading the history.

/** Display names are user-chosen text: keep what reads well in history and search attributes. */
function cleanName(name: string | undefined): string {
  return (name ?? '').replace(/[^\p{L}\p{N}._ -]/gu, '').trim().slice(0, 40);
}

export function slackRequester(userId: string, name?: string): string {
  const shown = cleanName(name);
  return shown ? `slack:${userId} (${shown})` : `slack:${userId}`;
}

/** The Slack user id in a requester written by slackRequester, if it is one. */
export function slackUserOf(requestedBy: string): string | undefined {
  return /^slack:([UW][A-Z0-9]+)(?: \(|$)/.exec(requestedBy)?.[1];
}
