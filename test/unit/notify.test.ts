// Webhook notifications without a stack: the body (mrkdwn escaped, the link in
// the deploy's namespace), and delivery against local HTTP receivers: failures
// name the host only, redirects are refused, and a retry skips webhooks that
// already took the message.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { escapeMrkdwn, notificationBody, postNotification, webhookId, type DeployNotification } from '../../activities/notify.js';

const n: DeployNotification = {
  event: 'rolled-back',
  app: 'awesome-api',
  environment: 'production',
  namespace: 'default',
  image: 'registry.example/awesome-api:2.0.0',
  workflowId: 'deploy/production/default/awesome-api',
  requestedBy: '<!channel> & <https://evil.example|click>',
  message: 'rolled back',
  reason: 'pods said <@U123>',
};

describe('notificationBody', () => {
  const body = notificationBody(n, { uiUrl: 'http://ui.example/', temporalNamespace: 'production' }) as {
    text: string;
    blocks: Array<{ elements?: Array<{ text: string }> }>;
  };
  const context = body.blocks[1]?.elements?.map((e) => e.text) ?? [];

  test('requester and reason cannot mention, link or format in Slack', () => {
    assert.equal(escapeMrkdwn('<a> & <b>'), '&lt;a&gt; &amp; &lt;b&gt;');
    assert.match(body.text, /\(pods said &lt;@U123&gt;\)/);
    assert.ok(context.includes('*requested by* &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;'), context.join('\n'));
    assert.equal(/<!channel>|<@U123>|<https:\/\/evil/.test(JSON.stringify(body.blocks)), false);
  });

  test('the UI link is in the deploy\'s Temporal namespace', () => {
    assert.ok(context.includes('<http://ui.example/namespaces/production/workflows/deploy%2Fproduction%2Fdefault%2Fawesome-api|open in Temporal>'), context.join('\n'));
  });
});

describe('postNotification', () => {
  const servers: http.Server[] = [];
  after(() => servers.forEach((s) => s.close()));
  async function receiver(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; hits: string[] }> {
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits.push(req.url ?? '');
        answer(req, res);
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
  }
  const target = { temporalNamespace: 'default' };
  const TOKEN_PATH = '/services/T000/B000/XXXXsecretTOKENxxxx';

  test('a failing webhook is named by its host only; the others are told once, and a retry posts only to the failed one', async () => {
    const good = await receiver((_, res) => res.writeHead(200).end());
    const bad = await receiver((_, res) => res.writeHead(500).end());
    const hooks = [`${good.url}/ok`, `${bad.url}${TOKEN_PATH}?token=abc`];
    let delivered: string[] = [];
    const state = () => ({ delivered, onDelivered: (ids: string[]) => (delivered = ids) });
    for (let attempt = 0; attempt < 3; attempt++) {
      await assert.rejects(postNotification(hooks, n, target, state()), (err: Error) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.message, `webhook delivery failed: ${new URL(bad.url).host}: HTTP 500`);
        assert.equal(err.message.includes('secretTOKEN') || err.message.includes('token=abc'), false);
        return true;
      });
    }
    assert.deepEqual(good.hits, ['/ok'], 'the good webhook was told once over three attempts');
    assert.equal(bad.hits.length, 3);
    assert.deepEqual(delivered, [webhookId(hooks[0]!)]);
  });

  test('a redirect is refused and not followed', async () => {
    const elsewhere = await receiver((_, res) => res.writeHead(200).end());
    const redirecting = await receiver((_, res) => res.writeHead(307, { location: `${elsewhere.url}/stolen` }).end());
    await assert.rejects(postNotification([`${redirecting.url}${TOKEN_PATH}`], n, target), /HTTP 307: redirects are refused/);
    assert.deepEqual(elsewhere.hits, []);
  });

  test('an unreachable webhook: no URL in the message either', async () => {
    const gone = await receiver((_, res) => res.writeHead(200).end());
    const url = `${gone.url}${TOKEN_PATH}`;
    await new Promise<void>((r) => servers.pop()?.close(() => r()));
    await assert.rejects(postNotification([url], n, target), (err: Error) => {
      assert.match(err.message, /^webhook delivery failed: 127\.0\.0\.1:\d+: cannot connect/);
      assert.equal(err.message.includes('secretTOKEN'), false);
      return true;
    });
  });
});
