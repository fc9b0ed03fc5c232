import { Controller, Get, Headers, Inject, Param, Redirect, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../http/api-error.js';
import type { DashboardAsset } from './dashboard-assets.js';

export const DASHBOARD_ASSETS = Symbol('DASHBOARD_ASSETS');

/**
 * The page may load only its own files and talk only to this origin; nothing inline, no frames.
 * uPlot styles its elements through the CSSOM (`el.style.x = …`), which `style-src 'self'` allows.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // NOTE: no-cache still lets the browser keep a copy; it revalidates it by ETag on every load,
  // so a new gateway version is picked up at once without versioned file names.
  'cache-control': 'no-cache',
};

/** `GET /dashboard`: the product dashboard page; `GET /` sends browsers there. */
@Controller()
export class DashboardController {
  constructor(@Inject(DASHBOARD_ASSETS) private readonly assets: Map<string, DashboardAsset>) {}

  @Get()
  @Redirect('/dashboard', 302)
  root(): void {}

  @Get('dashboard')
  page(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): void {
    this.send('index.html', ifNoneMatch, reply);
  }

  @Get('dashboard/assets/:name')
  file(
    @Param('name') name: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): void {
    this.send(name, ifNoneMatch, reply);
  }

  private send(name: string, ifNoneMatch: string | undefined, reply: FastifyReply): void {
    const asset = this.assets.get(name);
    if (!asset) throw new ApiError(404, 'not_found', 'no such dashboard file');
    void reply.headers({ ...SECURITY_HEADERS, etag: asset.etag });
    if (ifNoneMatch === asset.etag) {
      void reply.status(304).send();
      return;
    }
    void reply.type(asset.contentType).send(asset.body);
  }
}
