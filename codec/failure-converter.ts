// Failure messages and stack traces move into a payload (encodeCommonAttributes),
// so the codec encrypts them like any other payload: a failure's message often
// quotes what failed (a spec field, an image, a cluster answer). Loaded by path:
// the worker bundles it into the workflow sandbox, so it must stay free of
// Node built-ins (lint enforces it).
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter: DefaultFailureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
