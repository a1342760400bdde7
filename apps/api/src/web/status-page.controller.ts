import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, NotFoundException, Param, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators.js';

/** The page's files and their types; nothing else is served from the folder. */
const ASSETS: Readonly<Record<string, string>> = {
  'base.css': 'text/css; charset=utf-8',
  'status.css': 'text/css; charset=utf-8',
};

interface Page {
  html: Buffer;
  csp: string;
  assets: Map<string, Buffer>;
}

/**
 * The status page: plain HTML and CSS with one inline script, no build step. The page holds
 * no data and no secret, so it is public; it asks for an API key and calls the API with it.
 */
@ApiExcludeController()
@Public()
@Controller()
export class StatusPageController {
  private readonly page = loadPage();

  @Get()
  @Redirect('/status', 302)
  root(): void {}

  @Get('status')
  @Header('Cache-Control', 'no-cache')
  index(@Res() res: Response): void {
    res
      .type('html')
      .setHeader('Content-Security-Policy', this.page.csp)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Referrer-Policy', 'no-referrer')
      .send(this.page.html);
  }

  @Get('status/:file')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const body = this.page.assets.get(file);
    const type = ASSETS[file];
    if (!body || !type) throw new NotFoundException(`No such file: ${file}`);
    res.type(type).setHeader('X-Content-Type-Options', 'nosniff').send(body);
  }
}

/**
 * Reads the page once. The folder is found from the package root, so the same code serves
 * it when run from the sources (tests) and from dist/ (which tsc fills with JavaScript only).
 */
function loadPage(): Page {
  const dir = join(packageRoot(), 'apps/api/src/web/public');
  const html = readFileSync(join(dir, 'index.html'));
  // The inline script is allowed by its hash, so no other script can run on the page.
  const hashes = [...html.toString('utf8').matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '')
        .digest('base64')}'`,
  );
  const csp = [
    "default-src 'none'",
    `script-src ${hashes.join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const assets = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(join(dir, name))]));
  return { html, csp, assets };
}

/** The folder holding package.json: the sources' root, from src/ (tests) as from dist/. */
export function packageRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('status page: no package.json above ' + import.meta.dirname);
    dir = parent;
  }
  return dir;
}
