import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Headers, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiEnv, type PublicServer } from '#common';
import { Public } from '../auth/auth.decorators.js';
import { packageRoot } from '../web/status-page.controller.js';
import { pickLang, renderBadge, renderCard, renderPage } from './public-page.js';
import { type PublicSnapshot, PublicStatusService } from './public-status.service.js';

/** No script, no frame, no form, nothing but the page's own stylesheet and inline SVG. */
const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * What players see, without a key: the published servers as a page, as JSON, and each one as
 * a card to embed and a badge. Everything is answered from PublicStatusService's cache, so a
 * crowd costs Odoo one call per period; a server that is not published answers exactly as one
 * that does not exist (the same 404, from the same lookup in memory).
 */
@ApiExcludeController()
@Public()
@Controller('public')
export class PublicController {
  /** The status page's shared base and the public pages' own sheet. */
  private readonly css = new Map(
    ['base.css', 'public.css'].map((name) => [
      name,
      readFileSync(join(packageRoot(), 'apps/api/src/web/public', name)),
    ]),
  );

  constructor(
    private readonly status: PublicStatusService,
    private readonly api: ApiEnv,
  ) {}

  @Get()
  async page(
    @Headers('accept-language') accept: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const snapshot = await this.status.current();
    this.send(res, 'text/html; charset=utf-8', renderPage(snapshot, pickLang(accept)), {
      'Content-Security-Policy': `${CSP}; frame-ancestors 'none'`,
      Vary: 'Accept-Language',
    });
  }

  @Get(':sheet.css')
  stylesheet(@Param('sheet') sheet: string, @Res() res: Response): void {
    const body = this.css.get(`${sheet}.css`);
    if (!body) throw new NotFoundException('No such file');
    this.send(res, 'text/css; charset=utf-8', body, {});
  }

  @Get('servers')
  async list(@Res() res: Response): Promise<void> {
    const snapshot = await this.status.current();
    this.json(res, {
      updatedAt: new Date(snapshot.readAt).toISOString(),
      hours: snapshot.status.hours,
      servers: snapshot.status.servers,
    });
  }

  @Get('servers/:slug')
  async one(@Param('slug') slug: string, @Res() res: Response): Promise<void> {
    const snapshot = await this.status.current();
    this.json(res, {
      updatedAt: new Date(snapshot.readAt).toISOString(),
      hours: snapshot.status.hours,
      server: this.find(snapshot, slug),
    });
  }

  @Get('servers/:slug/card')
  async card(
    @Param('slug') slug: string,
    @Headers('accept-language') accept: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const server = this.find(await this.status.current(), slug);
    // Made to be framed by other sites (a forum, a clan page).
    this.send(res, 'text/html; charset=utf-8', renderCard(server, pickLang(accept)), {
      'Content-Security-Policy': `${CSP}; frame-ancestors *`,
      Vary: 'Accept-Language',
    });
  }

  @Get('servers/:slug/badge.svg')
  async badge(
    @Param('slug') slug: string,
    @Headers('accept-language') accept: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const server = this.find(await this.status.current(), slug);
    this.send(res, 'image/svg+xml; charset=utf-8', renderBadge(server, pickLang(accept)), {
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      'Access-Control-Allow-Origin': '*',
      Vary: 'Accept-Language',
    });
  }

  private find(snapshot: PublicSnapshot, slug: string): PublicServer {
    const server = snapshot.bySlug.get(slug);
    if (!server) throw new NotFoundException('No such public server');
    return server;
  }

  private json(res: Response, body: unknown): void {
    this.send(res, 'application/json; charset=utf-8', JSON.stringify(body), {
      'Access-Control-Allow-Origin': '*',
    });
  }

  /** Short caching by browsers and proxies too, and the headers every public answer carries. */
  private send(
    res: Response,
    type: string,
    body: string | Buffer,
    headers: Record<string, string>,
  ): void {
    res
      .status(200)
      .type(type)
      .set({
        'Cache-Control': `public, max-age=${this.api.PUBLIC_CACHE_S}`,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        ...headers,
      })
      .send(body);
  }
}
