// An operator in the Temporal Web UI (headless Debian Chromium driven by
// playwright-core): opens the stuck-deploys view link `deployctl setup` prints,
// adds the Deploy* columns the README names and sees the deploy's phase in the
// list, reads its progress table, sends the `rollback` update from the UI and
// sees the deploy roll back; and sees the deploy's input as ciphertext in a UI
// without the codec endpoint, readable through the stack's codec server.
// Screenshots land in test-results/ (DEPLOYFLOW_UPDATE_DOCS=1 copies them to docs/).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDeploy, waitForResult, type StartedDeploy } from '../../client/api.js';
import { STUCK_VIEW_NAME, stuckDeploysViewUrl, UI_LIST_COLUMNS } from '../../client/links.js';
import { progressQuery } from '../../workflows/messages.js';
import { repoRoot } from '../../stack/layout.js';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling hosts a closed network refuses.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const artifacts = path.join(repoRoot, 'test-results');

async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

describe('Temporal Web UI', () => {
  let h: DeployHarness;
  let browser: Browser;
  let handle: StartedDeploy;

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (npm test installs it: bash stack/install-packages.sh chromium)`);
    h = await deployHarness('ui');
    await h.deploy('registry.example/awesome-api:1.0.0');
    handle = await startDeploy(h.client, {
      spec: h.spec({ strategy: { onFailure: 'wait', progressDeadlineSeconds: 4 } }),
      environment: h.environment,
      image: 'registry.example/awesome-api:2.0.0-never-ready',
      requestedBy: 'ci',
    });
    while ((await handle.query(progressQuery)).phase !== 'Stuck') await new Promise((r) => setTimeout(r, 250));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await h?.close();
  });

  test('without the codec endpoint the input is ciphertext; with it, the input and the progress table are readable', async () => {
    const url = `${h.info.uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}/${handle.firstExecutionRunId}/history`;
    // A UI without a codec endpoint: the same server, with the endpoint taken out of the settings it hands the browser.
    const blind = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await blind.route('**/api/v1/settings**', async (route) => {
      const res = await route.fetch();
      const settings = (await res.json()) as { Codec?: Record<string, unknown> };
      await route.fulfill({ response: res, json: { ...settings, Codec: { ...settings.Codec, Endpoint: '' } } });
    });
    await blind.goto(url);
    await blind.getByText('YmluYXJ5L2VuY3J5cHRlZA==').first().waitFor({ timeout: 30_000 });
    const blindText = await blind.locator('body').innerText();
    assert.match(blindText, /encryption-key-id/);
    assert.equal(blindText.includes('registry.example/awesome-api'), blindText.includes('DeployImage'), 'the image shows only as a search attribute');
    assert.equal(blindText.includes('"containers"'), false);
    const encrypted = await shot(blind, 'ui-input-encrypted');
    await blind.close();

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
    await page.getByText('"containers"').first().waitFor({ timeout: 30_000 });
    const text = await page.locator('body').innerText();
    assert.equal(text.includes('YmluYXJ5L2VuY3J5cHRlZA=='), false);
    assert.match(text, /"readinessProbe"/);
    const decoded = await shot(page, 'ui-input-decoded');
    await page.getByText('User Metadata').click();
    const table = page.frameLocator('iframe[src*="%7C%20available%20%7C"]').locator('table', { hasText: 'available' });
    await table.first().waitFor({ timeout: 15_000 });
    assert.match(await table.first().innerText(), new RegExp(`${h.spec().name}-[0-9a-f]{8} \\(new\\)`));
    await page.close();
    if (process.env.DEPLOYFLOW_UPDATE_DOCS) {
      fs.copyFileSync(encrypted, path.join(repoRoot, 'docs', 'ui-input-encrypted.png'));
      fs.copyFileSync(decoded, path.join(repoRoot, 'docs', 'ui-input-decoded.png'));
    }
  });

  test('finds the stuck deploy, shows its progress table, and rolls it back from the UI', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(stuckDeploysViewUrl({ DEPLOYFLOW_TEMPORAL_UI: h.info.uiUrl }, 'default')!);
    const link = page.getByRole('link', { name: handle.workflowId });
    await link.waitFor({ timeout: 30_000 });
    // The link saved the view in this browser: it is listed among the saved views.
    await page.getByText(STUCK_VIEW_NAME, { exact: true }).first().waitFor();

    await page.getByTestId('workflows-summary-table-configuration-button').click();
    for (const column of UI_LIST_COLUMNS) await page.getByTestId(`orderable-list-item-${column}-add-button`).click();
    // Fewer default columns, so the Deploy* ones fit the screenshot.
    for (const column of ['Run ID', 'Type', 'End']) await page.getByTestId(`orderable-list-item-${column}-remove-button`).click();
    await page.getByRole('button', { name: 'Close Workflows Table configuration' }).click();
    const headers = (await page.getByRole('columnheader').allInnerTexts()).map((t) => t.trim());
    const cells = (await page.getByRole('row').filter({ has: link }).getByRole('cell').allInnerTexts()).map((t) => t.trim());
    const cell = (column: string) => cells[headers.indexOf(column)];
    assert.deepEqual(
      UI_LIST_COLUMNS.map((c) => [c, cell(c)]),
      [
        ['DeployPhase', 'Stuck'],
        ['DeployEnvironment', h.environment],
        ['DeployApp', h.spec().name],
      ],
    );
    const list = await shot(page, 'ui-stuck-list');
    if (process.env.DEPLOYFLOW_UPDATE_DOCS) fs.copyFileSync(list, path.join(repoRoot, 'docs', 'ui-stuck-list.png'));

    await link.click();
    await page.getByText('User Metadata').click();
    await page.getByText('Current Details').waitFor();
    // The UI renders the workflow's current-details Markdown (our progress table) in a sandboxed frame.
    const table = page.frameLocator('iframe[src*="%7C%20available%20%7C"]').locator('table', { hasText: 'available' });
    await table.first().waitFor({ timeout: 15_000 });
    assert.match(await table.first().innerText(), new RegExp(`${h.spec().name}-[0-9a-f]{8} \\(new\\)`));
    const text = (await Promise.all(page.frames().map((f) => f.locator('body').innerText().catch(() => '')))).join('\n');
    assert.match(text, /Stuck/);
    assert.match(text, /ImagePullBackOff/);
    assert.match(text, /Next action/);
    const screenshot = await shot(page, 'ui-current-details');
    if (process.env.DEPLOYFLOW_UPDATE_DOCS) fs.copyFileSync(screenshot, path.join(repoRoot, 'docs', 'ui-stuck-deploy.png'));

    await page.getByRole('button', { name: 'More Actions' }).first().click();
    await page.getByRole('menuitem', { name: 'Send an Update' }).click();
    await page.getByRole('button', { name: 'Select an Update' }).click();
    await page.getByRole('option', { name: /^rollback/ }).click();
    const editor = page.getByRole('dialog').getByRole('textbox', { name: '' }).last();
    await editor.click();
    // insertText, not typing: the page binds "r" to refresh and would eat every r.
    await page.keyboard.insertText('{"reason": "image never pulls", "requestedBy": "browser-test"}');
    await shot(page, 'ui-send-update');
    // Leaving the editor reformats the JSON and grows the dialog: settle before submitting.
    await editor.evaluate((el) => (el as unknown as { blur(): void }).blur());
    await page.waitForTimeout(500);
    await page.getByRole('button', { name: 'Submit' }).click();

    const result = await Promise.race([
      waitForResult(handle),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the update sent from the UI did not end the deploy')), 60_000)),
    ]);
    assert.equal(result.outcome, 'RolledBack');
    const progress = await handle.query(progressQuery);
    assert.deepEqual(
      progress.actions.map((a) => [a.action, a.requestedBy]),
      [['rollback', 'browser-test']],
    );
    await page.reload();
    await shot(page, 'ui-rolled-back');
  });
});
