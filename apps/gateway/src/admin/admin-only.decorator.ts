import { applyDecorators, UseGuards } from '@nestjs/common';
import { RequiresCredential } from '../auth/route-credential.js';
import { AdminTokenGuard } from './admin-token.guard.js';

/**
 * Admits only requests with the admin token: checked from the headers before the body is read
 * (`CredentialsBeforeBody`), and by `AdminTokenGuard`; `401` without it, `429` for an address
 * that sent wrong tokens too often.
 */
export const AdminOnly = () =>
  applyDecorators(RequiresCredential({ credential: 'admin_token' }), UseGuards(AdminTokenGuard));
