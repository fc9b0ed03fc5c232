// Chromium for the dashboard's browser test (tests/e2e/src/dashboard.spec.ts, playwright-core).
import { ensureAptBinary } from './toolchain.mjs';

/**
 * Path of a Chromium binary (CHROMIUM_BIN wins), Debian's `chromium` installed with apt when
 * possible. NOTE: `npx playwright install` cannot download its own browser builds here, and
 * playwright-core drives Debian's build as it is.
 */
export const ensureChromium = () =>
  ensureAptBinary({ command: 'chromium', envVar: 'CHROMIUM_BIN', aptPackage: 'chromium' });
