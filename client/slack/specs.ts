// An app's spec, read from the configured spec directory by the app's name
// (a DNS label, so the name cannot walk out of the directory). A Slack
// message names the app; it never carries a spec.
import fs from 'node:fs';
import path from 'node:path';
import { invalidSpec } from '../../domain/errors.js';
import { isDnsLabel } from '../../domain/labels.js';
import type { AppSpec } from '../../domain/spec.js';
import { loadSpecFile } from '../spec-file.js';

export function appSpecFor(specDir: string, app: string): AppSpec {
  if (!isDnsLabel(app)) throw invalidSpec('app', "must be an app name: lowercase letters, digits and '-'");
  for (const ext of ['.yaml', '.yml']) {
    const file = path.join(specDir, app + ext);
    if (!fs.existsSync(file)) continue;
    const spec = loadSpecFile(file);
    if (spec.name !== app) throw invalidSpec('app', `the spec ${app}${ext} names the app "${spec.name}"`);
    return spec;
  }
  throw invalidSpec('app', `no spec ${app}.yaml in the spec directory`);
}
