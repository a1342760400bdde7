/*
 * The public pages as HTML and SVG, drawn on the server: no script runs on them, so their
 * Content-Security-Policy allows none. English or French by the browser's Accept-Language.
 */
import type { PublicServer } from '#common';
import type { PublicSnapshot } from './public-status.service.js';

export type PublicLang = 'en' | 'fr';

interface PublicTexts {
  title: string;
  intro: string;
  online: string;
  offline: string;
  game: string;
  players: string;
  map: string;
  version: string;
  address: string;
  lastCheck: string;
  uptime30d: string;
  chart: string;
  none: string;
  never: string;
  updated: (time: string) => string;
  badgeOffline: string;
  decimal: string;
}

const TEXTS: Readonly<Record<PublicLang, PublicTexts>> = {
  en: {
    title: 'Game server status',
    intro: 'Live status of our public game servers, checked every minute.',
    online: 'Online',
    offline: 'Offline',
    game: 'Game',
    players: 'Players',
    map: 'Map',
    version: 'Version',
    address: 'Address',
    lastCheck: 'Last check',
    uptime30d: 'Uptime, 30 days',
    chart: 'Players over the last 24 hours',
    none: 'No server is public yet.',
    never: 'not yet',
    updated: (time) => `Updated ${time}. This page refreshes every minute.`,
    badgeOffline: 'offline',
    decimal: '.',
  },
  // French puts a non-breaking space before a colon and a percent sign.
  fr: {
    title: 'État des serveurs de jeu',
    intro: 'L\u2019état en direct de nos serveurs de jeu publics, vérifié chaque minute.',
    online: 'En ligne',
    offline: 'Hors ligne',
    game: 'Jeu',
    players: 'Joueurs',
    map: 'Carte',
    version: 'Version',
    address: 'Adresse',
    lastCheck: 'Dernière vérification',
    uptime30d: 'Disponibilité, 30 jours',
    chart: 'Joueurs ces dernières 24 heures',
    none: 'Aucun serveur n\u2019est encore public.',
    never: 'pas encore',
    updated: (time) => `Mis à jour ${time}. Cette page se rafraîchit chaque minute.`,
    badgeOffline: 'hors ligne',
    decimal: ',',
  },
};

/** The first language of Accept-Language this page speaks (by its weight), else English. */
export function pickLang(acceptLanguage: string | undefined): PublicLang {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/u.exec(p)?.[1]).find(Boolean);
      return { lang: tag.slice(0, 2), q: q === undefined ? 1 : Number(q), index };
    })
    .filter(({ q }) => q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const found = ranked.find(({ lang }) => lang === 'en' || lang === 'fr');
  return (found?.lang as PublicLang | undefined) ?? 'en';
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe inside HTML and SVG, elements and quoted attributes alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (ch) => ESCAPES[ch] ?? ch);
}

function decimal(value: number, digits: number, texts: PublicTexts): string {
  return value.toFixed(digits).replace('.', texts.decimal);
}

/** '2026-12-07 14:05 UTC' from ISO 8601. */
function utcTime(iso: string | null, texts: PublicTexts): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : texts.never;
}

/** IPv6 hosts in brackets, so that host:port reads as one address. */
function address(server: PublicServer): string | null {
  if (server.host === null || server.port === null) return null;
  return server.host.includes(':')
    ? `[${server.host}]:${server.port}`
    : `${server.host}:${server.port}`;
}

/** The 24 hours' players as a line over a baseline, scaled to the server's slots. */
function chart(server: PublicServer, texts: PublicTexts): string {
  const top = Math.max(1, server.playersMax, ...server.players24h.map((v) => v ?? 0));
  const step = 100 / Math.max(1, server.players24h.length - 1);
  const points = server.players24h
    .map((value, i) =>
      value === null ? null : `${(i * step).toFixed(1)},${(30 - (value / top) * 28).toFixed(1)}`,
    )
    .filter((point): point is string => point !== null)
    .join(' ');
  return (
    `<p class="chart-label">${escapeHtml(texts.chart)}</p>` +
    `<svg class="chart" viewBox="0 0 100 31" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(texts.chart)}">` +
    `<line class="base" x1="0" y1="30" x2="100" y2="30"/>` +
    (points ? `<polyline points="${points}"/>` : '') +
    `</svg>`
  );
}

function serverArticle(server: PublicServer, texts: PublicTexts): string {
  const facts: [string, string][] = [
    [texts.game, server.game],
    [texts.players, `${server.players} / ${server.playersMax}`],
  ];
  if (server.map) facts.push([texts.map, server.map]);
  if (server.version) facts.push([texts.version, server.version]);
  const joinAt = address(server);
  if (joinAt) facts.push([texts.address, joinAt]);
  facts.push([texts.lastCheck, utcTime(server.lastChecked, texts)]);
  facts.push([texts.uptime30d, `${decimal(server.uptime30d, 2, texts)}\u00a0%`]);
  const state = server.online
    ? `<span class="state up">${escapeHtml(texts.online)}</span>`
    : `<span class="state down">${escapeHtml(texts.offline)}</span>`;
  return (
    `<article class="server" id="${escapeHtml(server.slug)}">` +
    `<h2><span>${escapeHtml(server.name)}</span>${state}</h2>` +
    `<dl>${facts.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>` +
    chart(server, texts) +
    `</article>`
  );
}

function document(lang: PublicLang, title: string, body: string, bodyClass = ''): string {
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta http-equiv="refresh" content="60">` +
    `<meta name="referrer" content="no-referrer">` +
    // No favicon: a browser would ask for /favicon.ico, which is not ours to answer.
    `<link rel="icon" href="data:,">` +
    `<title>${escapeHtml(title)}</title>` +
    `<link rel="stylesheet" href="/public/base.css"><link rel="stylesheet" href="/public/public.css"></head>` +
    `<body${bodyClass ? ` class="${bodyClass}"` : ''}>${body}</body></html>`
  );
}

/** The page of every published server. */
export function renderPage(snapshot: PublicSnapshot, lang: PublicLang): string {
  const texts = TEXTS[lang];
  const servers = snapshot.status.servers;
  const main = servers.length
    ? `<main>${servers.map((server) => serverArticle(server, texts)).join('')}</main>`
    : `<main><p class="empty">${escapeHtml(texts.none)}</p></main>`;
  return document(
    lang,
    texts.title,
    `<header><h1>${escapeHtml(texts.title)}</h1><p>${escapeHtml(texts.intro)}</p></header>` +
      main +
      `<footer>${escapeHtml(texts.updated(utcTime(new Date(snapshot.readAt).toISOString(), texts)))}</footer>`,
  );
}

/** One server, to embed in another site's page. */
export function renderCard(server: PublicServer, lang: PublicLang): string {
  return document(lang, server.name, `<main>${serverArticle(server, TEXTS[lang])}</main>`, 'card');
}

/** Width of a text in the badge's 11 px font, roughly (a wide glyph is counted wide). */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[mwMW@%]/u.test(ch) ? 10 : /[iljtfI.,:;|!' ]/u.test(ch) ? 4 : 7;
  return width;
}

function fit(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * A small badge, its own colours on any page (white on grey and on green or red: readable on
 * light and dark backgrounds): the server's name, then its players or 'offline'.
 */
export function renderBadge(server: PublicServer, lang: PublicLang): string {
  const label = fit(server.name, 32);
  const value = server.online ? `${server.players}/${server.playersMax}` : TEXTS[lang].badgeOffline;
  const left = textWidth(label) + 12;
  const right = textWidth(value) + 12;
  const colour = server.online ? '#16794a' : '#b42318';
  const title = `${label}: ${value}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + right}" height="20" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>` +
    `<rect width="${left}" height="20" rx="3" fill="#444d56"/>` +
    `<rect x="${left}" width="${right}" height="20" rx="3" fill="${colour}"/>` +
    `<rect x="${left}" width="4" height="20" fill="${colour}"/>` +
    `<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">` +
    `<text x="${left / 2}" y="14">${escapeHtml(label)}</text>` +
    `<text x="${left + right / 2}" y="14">${escapeHtml(value)}</text>` +
    `</g></svg>`
  );
}
